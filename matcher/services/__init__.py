"""Use cases shared by the HTML views, the JSON API and the CLI (CKAN's rule: one service layer).

Every function takes a SQLAlchemy session (and, where dates matter, ``today``) and returns
domain objects or plain dicts; none of them knows about HTTP or terminals.
"""
