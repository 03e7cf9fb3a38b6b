"""Background CSV imports, pure domain logic: the job and its states, staged record chunks.

job      ImportJob, JobState, SliceCursor: what GET /api/imports/{id} reports (light: imported at startup)
chunks   RecordChunker (records -> JSON chunks while staging), decode_chunk; imported where used, as it pulls in
         the CSV parser
"""

from shared.domain.import_jobs.job import ImportJob, JobState, SliceCursor

__all__ = ["ImportJob", "JobState", "SliceCursor"]
