-- The vector type must exist before any pool registers its pgx codecs.
CREATE EXTENSION IF NOT EXISTS vector;
