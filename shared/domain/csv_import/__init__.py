"""CSV import, pure domain logic: bytes -> text -> records -> rows -> deduplicated rows. No I/O, streaming throughout.

decoding   CsvDecoder / decode_csv / iter_decode: encodings, BOMs, binary files refused
dialect    detect_dialect: delimiter and line ending from the first lines
records    RecordSplitter: quote-aware records with a size limit (a 10 MB cell never stops the import)
headers    map_headers: header aliases -> ProspectFields names; identity column required
names      split_full_name;  locations: split_location;  emails: check_email, is_role_address
rows       RowBuilder: cells -> ParsedRow | RowError
parser     CsvParser / CsvBytesParser (push), parse_rows / parse_csv_bytes (pull)
dedupe     dedupe_in_file / InFileDeduper: duplicates within the file, by email, LinkedIn, company + person
results    ParsedRow, RowError, RowWarning, DuplicateRow; row numbers as a spreadsheet shows them
"""

from shared.domain.csv_import.decoding import CsvDecoder, decode_csv, iter_decode
from shared.domain.csv_import.dedupe import InFileDeduper, dedupe_in_file
from shared.domain.csv_import.dialect import Dialect, detect_dialect
from shared.domain.csv_import.emails import check_email, is_role_address
from shared.domain.csv_import.errors import CsvFormatError
from shared.domain.csv_import.headers import ColumnMap, map_headers
from shared.domain.csv_import.locations import Location, split_location
from shared.domain.csv_import.names import split_full_name
from shared.domain.csv_import.parser import CsvBytesParser, CsvParser, parse_csv_bytes, parse_rows
from shared.domain.csv_import.results import DuplicateRow, ParsedRow, RowError, RowResult, RowWarning

__all__ = [
    "ColumnMap",
    "CsvBytesParser",
    "CsvDecoder",
    "CsvFormatError",
    "CsvParser",
    "Dialect",
    "DuplicateRow",
    "InFileDeduper",
    "Location",
    "ParsedRow",
    "RowError",
    "RowResult",
    "RowWarning",
    "check_email",
    "decode_csv",
    "dedupe_in_file",
    "detect_dialect",
    "is_role_address",
    "iter_decode",
    "map_headers",
    "parse_csv_bytes",
    "parse_rows",
    "split_full_name",
    "split_location",
]
