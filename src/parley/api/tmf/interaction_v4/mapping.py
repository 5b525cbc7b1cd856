"""TMF683 v4 <-> v5 shapes of a party interaction. The store holds v5; v4 is a view of it.

The differences: v4 names the channels ``channel`` (each a flat reference with a role) where v5
has ``relatedChannel`` (a role and a ``ChannelRef``); v4's ``relatedParty`` entries are flat
references where v5 wraps them in ``partyOrPartyRole``; an item's ``item`` is a flat related
entity in v4 and ``{role, entity}`` in v5. Everything else is the same in both.
"""

from copy import deepcopy

from parley.links import urn

_REF_KEYS = ("id", "href", "name", "@referredType")


def to_v5(v4: dict) -> dict:
    document = deepcopy(v4)
    if "channel" in document:
        document["relatedChannel"] = [_channel_v5(c) for c in document.pop("channel") or []]
    if "relatedParty" in document:
        document["relatedParty"] = [_party_v5(p) for p in document["relatedParty"] or []]
    if "interactionItem" in document:
        document["interactionItem"] = [_item_v5(i) for i in document["interactionItem"] or []]
    return document


def to_v4(v5: dict) -> dict:
    document = deepcopy(v5)
    if "relatedChannel" in document:
        document["channel"] = [_channel_v4(c) for c in document.pop("relatedChannel") or []]
    if "relatedParty" in document:
        document["relatedParty"] = [_party_v4(p) for p in document["relatedParty"] or []]
    if "interactionItem" in document:
        document["interactionItem"] = [_item_v4(i) for i in document["interactionItem"] or []]
    return document


def _pick(source: dict, keys=_REF_KEYS) -> dict:
    return {key: source[key] for key in keys if key in source}


def _channel_v5(channel: dict) -> dict:
    picked = _pick(channel)
    if isinstance(picked.get("id"), str) and picked.get("href") == urn("Channel", picked["id"]):
        del picked["href"]  # ours (_channel_v4): made when served, never stored
    related = {"@type": "RelatedChannel", "channel": {"@type": "ChannelRef", **picked}}
    if "role" in channel:
        related["role"] = channel["role"]
    return related


def _channel_v4(related: dict) -> dict:
    channel = {"@type": "RelatedChannel", **_pick(related.get("channel") or {})}
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


def _party_v5(party: dict) -> dict:
    referred = party.get("@referredType")
    ref_type = "PartyRoleRef" if referred == "Customer" else "PartyRef"
    related = {"@type": "RelatedPartyOrPartyRole", "partyOrPartyRole": {"@type": ref_type}}
    related["partyOrPartyRole"].update(_pick(party))
    if "role" in party:
        related["role"] = party["role"]
    return related


def _party_v4(related: dict) -> dict:
    target = related.get("partyOrPartyRole") or {}
    party = {"@type": "RelatedParty", **_pick(target)}
    if "@referredType" not in party and target.get("@type") not in ("PartyRef", "PartyRoleRef"):
        party["@referredType"] = target.get("@type")
    if "role" in related:
        party["role"] = related["role"]
    return party


def _item_v5(item: dict) -> dict:
    converted = deepcopy(item)
    if "channel" in converted:
        converted["relatedChannel"] = [_channel_v5(c) for c in converted.pop("channel") or []]
    if "relatedParty" in converted:
        converted["relatedParty"] = [
            {
                "@type": "RelatedPartyRefOrPartyRoleRef",
                "role": p.get("role", ""),
                "partyOrPartyRole": {"@type": "PartyRef", **_pick(p)},
            }
            for p in converted["relatedParty"] or []
        ]
    if "item" in converted:
        entity = converted.pop("item") or {}
        converted["item"] = {
            "@type": "RelatedEntityRefOrValue",
            "role": entity.get("role", ""),
            "entity": {"@type": "EntityRef", **_pick(entity)},
        }
    return converted


def _item_v4(item: dict) -> dict:
    converted = deepcopy(item)
    if "relatedChannel" in converted:
        converted["channel"] = [_channel_v4(c) for c in converted.pop("relatedChannel") or []]
    if "relatedParty" in converted:
        converted["relatedParty"] = [_party_v4(p) for p in converted["relatedParty"] or []]
    if "item" in converted:
        related = converted.pop("item") or {}
        converted["item"] = {"role": related.get("role", ""), **_pick(related.get("entity") or {})}
    for v5_only in ("interactionItemRelationship", "interactionItemType", "lastUpdate"):
        converted.pop(v5_only, None)
    return converted
