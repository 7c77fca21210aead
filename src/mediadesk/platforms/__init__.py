"""Platform integrations: the connectors' shared ground and the local platform simulator.

Nothing at this level imports Django: ``mediadesk simulator`` must run on a fresh clone with
no database and no settings module.
"""
