from tests.sync._sync_world import server, world  # noqa: F401  (fixtures)
