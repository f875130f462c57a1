-- An item's name and unit in other languages (core::essentials::ItemTranslations as JSON,
-- keyed by ISO 639-1 code). Keep in step with ../sqlite/0028_item_translations.sql.
ALTER TABLE items ADD COLUMN translations jsonb NOT NULL DEFAULT '{}'::jsonb;
