-- An item's name and unit in other languages (core::essentials::ItemTranslations as JSON,
-- keyed by ISO 639-1 code). Keep in step with ../postgres/0028_item_translations.sql.
ALTER TABLE items ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
