"""Where the disclosure work is kept: SQLAlchemy tables, migrations and data access."""
