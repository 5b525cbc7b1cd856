"""Pydantic shapes of the auth API: the token answer, who-am-I, users, roles, audit entries."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class TokenOut(Strict):
    """RFC 6749 section 5.1 (snake_case field names are the standard's)."""

    access_token: str
    token_type: str = "Bearer"
    expires_in: int = Field(description="Seconds the access token stays valid")
    refresh_token: str | None = Field(
        default=None, description="Absent for the client-credentials grant"
    )
    scope: str = Field(description="The permissions granted, space-separated")


class OAuthErrorOut(Strict):
    """RFC 6749 section 5.2."""

    error: str
    error_description: str


class MeOut(Strict):
    id: str
    username: str
    kind: str = Field(description="staff, client or customer")
    display_name: str = Field(serialization_alias="displayName")
    roles: list[str]
    permissions: list[str]
    limits: dict
    customer_id: str | None = Field(serialization_alias="customerId")
    client_id: str | None = Field(serialization_alias="clientId")
    token_expires_at: datetime | None = Field(serialization_alias="tokenExpiresAt")


class UserOut(Strict):
    id: str
    username: str
    kind: str
    display_name: str = Field(serialization_alias="displayName")
    roles: list[str]
    customer_id: str | None = Field(serialization_alias="customerId")
    disabled: bool
    locked_until: datetime | None = Field(serialization_alias="lockedUntil")
    last_login_at: datetime | None = Field(serialization_alias="lastLoginAt")
    created_at: datetime = Field(serialization_alias="createdAt")


class RoleOut(Strict):
    id: str
    name: str
    description: str
    permissions: list[str]
    limits: dict
    builtin: bool


class AuditEntryOut(Strict):
    id: str
    at: datetime
    actor_id: str | None = Field(serialization_alias="actorId")
    actor_name: str = Field(serialization_alias="actorName")
    channel: str
    client_id: str | None = Field(serialization_alias="clientId")
    action: str
    resource_type: str = Field(serialization_alias="resourceType")
    resource_id: str | None = Field(serialization_alias="resourceId")
    before: dict | None
    after: dict | None
