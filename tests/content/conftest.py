from tests.content.world import media_root, team  # noqa: F401 - fixtures shared by the tests
