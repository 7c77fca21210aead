"""Platform integrations: the connectors' shared ground and the local platform simulator.

Nothing at this level imports Django: ``mediadesk simulator`` must run on a fresh clone with
no database and no settings module. The Django app ``platforms`` (``apps.py``, ``models.py``
and the modules beside them) is the product's side: per-account connections, the database
token store, the WeChat callback endpoint and menu changes; only its own modules import Django.
"""
