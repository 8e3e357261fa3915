"""Metrics of the update stages, added to ``/metrics`` by ``api.metrics``: the stories
stage's backlog (articles stored but not yet placed in a story)."""

from __future__ import annotations

from broadsheet.store import Database
from broadsheet.store.placement_queue import count_queued


def render_metrics(db: Database) -> str:
    """Prometheus text lines for the update stages."""
    return ("# HELP broadsheet_placement_queue Articles stored but not yet placed in a story.\n"
            "# TYPE broadsheet_placement_queue gauge\n"
            f"broadsheet_placement_queue {count_queued(db)}\n")
