"""Sessions database: groups, people and analysed sessions in SQLite (default) or PostgreSQL.

``SessionStore`` is the whole library API; see docs/storage.md.
"""

from analyzer.storage.engine import default_db_url
from analyzer.storage.store import DEFAULT_GROUP, SessionStore, SessionSummary, result_config_hash
from analyzer.storage.trends import GroupTrends, PersonPoint, PersonTrend, SessionPoint

__all__ = ["DEFAULT_GROUP", "GroupTrends", "PersonPoint", "PersonTrend", "SessionPoint", "SessionStore",
           "SessionSummary", "default_db_url", "result_config_hash"]
