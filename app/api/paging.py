"""Pages of a list: ?page=&per_page=, the totals in the body and RFC 8288 Link headers."""
from __future__ import annotations

from typing import Any

from flask import g, request, url_for
from sqlalchemy import Select, func, select

from ..extensions import db
from .schemas import PageInfo, PageQuery


def _url(page: int, per_page: int) -> str:
    args = {**(request.view_args or {}), "page": page, "per_page": per_page}
    return url_for(request.endpoint or "", _external=True, **args)


def page_info(query: PageQuery, total: int) -> PageInfo:
    last = max(1, -(-total // query.per_page))
    info = PageInfo(page=query.page, per_page=query.per_page, total=total,
                    next=_url(query.page + 1, query.per_page) if query.page < last else None,
                    prev=_url(min(query.page - 1, last), query.per_page) if query.page > 1 else None)
    g.api_links = [f'<{u}>; rel="{rel}"' for rel, u in (("next", info.next), ("prev", info.prev)) if u]
    return info


def rows(statement: Select, query: PageQuery) -> tuple[list[Any], PageInfo]:
    """One page of the statement's rows, and the total: two queries, whatever the size."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    items = list(db.session.scalars(statement.limit(query.per_page).offset((query.page - 1) * query.per_page)))
    return items, page_info(query, total)


def slice_of(items: list[Any], query: PageQuery) -> tuple[list[Any], PageInfo]:
    start = (query.page - 1) * query.per_page
    return items[start:start + query.per_page], page_info(query, len(items))
