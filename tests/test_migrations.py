"""The migrations build what the models declare: every index, on the embedded default (SQLite,
where Alembic's batch mode copies a table and can silently lose an expression index) and on
PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from shared.config import Settings
from shared.db import build_engine
from shared.migrate import migrate
from shared.models import Base
from tests.conftest import own_database

DECLARED = {(table.name, index.name) for table in Base.metadata.sorted_tables for index in table.indexes}


def _indexes(engine) -> set[tuple[str, str]]:
    if engine.dialect.name == "sqlite":  # the inspector skips expression indexes on SQLite
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'index'"))
            return {(table, name) for table, name in rows if not name.startswith("sqlite_")}
    found = inspect(engine)
    return {(table, index["name"]) for table in found.get_table_names() for index in found.get_indexes(table)}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_database_migrated_to_head_has_every_index_the_models_declare(database, tmp_path):
    if database == "sqlite":
        engine = build_engine(Settings(database_url=f"sqlite:///{tmp_path}/jobpub.db"))
        migrate(engine)
        missing = DECLARED - _indexes(engine)
        engine.dispose()
    else:
        with own_database("_indexes") as url:
            engine = build_engine(Settings(database_url=url))
            missing = DECLARED - _indexes(engine)
            engine.dispose()
    assert not missing, f"declared by the models, not built by the migrations: {sorted(missing)}"
