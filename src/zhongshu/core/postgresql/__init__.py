"""Django's PostgreSQL backend with a health check that does not cost every request a round trip
(``base.DatabaseWrapper``); ``settings`` selects it for a ``postgres://`` DATABASE_URL."""
