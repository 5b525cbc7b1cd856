"""TMF683 v4 <-> v5 shapes of a party interaction. The store holds v5; v4 is a view of it.

The differences: v4 names the channels ``channel`` (each a flat reference with a role) where v5
has ``relatedChannel`` (a role and a ``ChannelRef``); v4's ``relatedParty`` entries are flat
references where v5 wraps them in ``partyOrPartyRole``; an item's ``item`` is a flat related
entity in v4 and ``{role, entity}`` in v5. Everything else is the same in both. Related
parties are converted as in every v4 API (kit/v4_shapes.py).
"""

from copy import deepcopy

from parley.api.tmf.kit.v4_shapes import pick, related_party_v4, related_party_v5
from parley.links import urn


def to_v5(v4: dict) -> dict:
    document = deepcopy(v4)
    if "channel" in document:
        document["relatedChannel"] = [_channel_v5(c) for c in document.pop("channel") or []]
    if "relatedParty" in document:
        document["relatedParty"] = [related_party_v5(p) for p in document["relatedParty"] or []]
    if "interactionItem" in document:
        document["interactionItem"] = [_item_v5(i) for i in document["interactionItem"] or []]
    return document


def to_v4(v5: dict) -> dict:
    document = deepcopy(v5)
    if "relatedChannel" in document:
        document["channel"] = [_channel_v4(c) for c in document.pop("relatedChannel") or []]
    if "relatedParty" in document:
        document["relatedParty"] = [related_party_v4(p) for p in document["relatedParty"] or []]
    if "interactionItem" in document:
        document["interactionItem"] = [_item_v4(i) for i in document["interactionItem"] or []]
    return document


def _channel_v5(channel: dict) -> dict:
    picked = pick(channel)
    if isinstance(picked.get("id"), str) and picked.get("href") == urn("Channel", picked["id"]):
        del picked["href"]  # ours (_channel_v4): made when served, never stored
    related = {"@type": "RelatedChannel", "channel": {"@type": "ChannelRef", **picked}}
    if "role" in channel:
        related["role"] = channel["role"]
    return related


def _channel_v4(related: dict) -> dict:
    channel = {"@type": "RelatedChannel", **pick(related.get("channel") or {})}
    if "href" not in channel and isinstance(channel.get("id"), str):
        # v4 requires an href; Parley serves no channel resource: its URN (parley.links).
        channel = {
            "@type": "RelatedChannel",
            "id": channel["id"],
            "href": urn("Channel", channel["id"]),
            **channel,
        }
    if "role" in related:
        channel["role"] = related["role"]
    return channel


def _item_v5(item: dict) -> dict:
    converted = deepcopy(item)
    if "channel" in converted:
        converted["relatedChannel"] = [_channel_v5(c) for c in converted.pop("channel") or []]
    if "relatedParty" in converted:
        converted["relatedParty"] = [
            {
                "@type": "RelatedPartyRefOrPartyRoleRef",
                "role": p.get("role", ""),
                "partyOrPartyRole": {"@type": "PartyRef", **pick(p)},
            }
            for p in converted["relatedParty"] or []
        ]
    if "item" in converted:
        entity = converted.pop("item") or {}
        converted["item"] = {
            "@type": "RelatedEntityRefOrValue",
            "role": entity.get("role", ""),
            "entity": {"@type": "EntityRef", **pick(entity)},
        }
    return converted


def _item_v4(item: dict) -> dict:
    converted = deepcopy(item)
    if "relatedChannel" in converted:
        converted["channel"] = [_channel_v4(c) for c in converted.pop("relatedChannel") or []]
    if "relatedParty" in converted:
        converted["relatedParty"] = [related_party_v4(p) for p in converted["relatedParty"] or []]
    if "item" in converted:
        related = converted.pop("item") or {}
        converted["item"] = {"role": related.get("role", ""), **pick(related.get("entity") or {})}
    for v5_only in ("interactionItemRelationship", "interactionItemType", "lastUpdate"):
        converted.pop(v5_only, None)
    return converted
