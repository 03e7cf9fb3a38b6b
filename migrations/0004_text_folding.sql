-- One text-folding rule for search, duplicate detection and sorting (decision 0015).
-- The full-text index now holds `search_text`: contact, company, property, city and email folded by the application
-- (shared/domain/normalize.py `fold`: NFKD, casefold, no combining marks), and query words are folded the same way,
-- so "MULLER", "mu\u0308ller" and "Ｍüｌｌｅｒ" find "Müller" and "STRASSE" finds "Straße". SQL cannot run that rule,
-- so rows written before this migration get an approximation here (ASCII lower-casing and ß -> ss; the tokenizer
-- keeps folding case and Latin diacritics as before) and the exact value the next time they are written.

ALTER TABLE prospects ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

DROP TRIGGER prospects_fts_insert;
DROP TRIGGER prospects_fts_delete;
DROP TRIGGER prospects_fts_update;
DROP TABLE prospects_fts;

UPDATE prospects SET search_text = replace(lower(trim(
    ifnull(contact_name, '') || ' ' || ifnull(company_name, '') || ' ' || ifnull(property_name, '') || ' ' ||
    ifnull(city, '') || ' ' || ifnull(email, '')
)), 'ß', 'ss');
-- A cursor carries at most 300 characters of the sort name (normalize.SORT_NAME_CHARS).
UPDATE prospects SET sort_name = substr(sort_name, 1, 300) WHERE length(sort_name) > 300;

CREATE VIRTUAL TABLE prospects_fts USING fts5 (
    search_text,
    content = 'prospects', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER prospects_fts_insert AFTER INSERT ON prospects BEGIN
    INSERT INTO prospects_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER prospects_fts_delete AFTER DELETE ON prospects BEGIN
    INSERT INTO prospects_fts (prospects_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER prospects_fts_update AFTER UPDATE OF search_text ON prospects BEGIN
    INSERT INTO prospects_fts (prospects_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO prospects_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
INSERT INTO prospects_fts (prospects_fts) VALUES ('rebuild');
