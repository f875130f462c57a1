-- An upload that could not be read keeps why (a JSON object: the refusal's code and its
-- figures) instead of its bytes, so opening its preview again answers the same refusal
-- without reading the file again.
ALTER TABLE import_uploads ADD COLUMN failure text;
