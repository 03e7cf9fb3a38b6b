"""ProspectFields accept exactly the JSON their schema declares: no lax coercion of booleans or strings to numbers."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.domain.prospects import ProspectCreate, ProspectPatch


@pytest.mark.parametrize("rooms", [704, 704.0, 0, None])
def test_rooms_is_a_json_integer(rooms: object) -> None:
    assert ProspectCreate.model_validate({"rooms": rooms}).rooms == rooms


@pytest.mark.parametrize("rooms", [False, True, "3", 704.5, -1, [1]])
def test_rooms_refuses_what_the_schema_does(rooms: object) -> None:
    with pytest.raises(ValidationError):
        ProspectCreate.model_validate({"rooms": rooms})


@pytest.mark.parametrize("archived", [1, 0, "true", "yes"])
def test_archived_is_a_json_boolean(archived: object) -> None:
    assert ProspectPatch.model_validate({"archived": True}).archived is True
    with pytest.raises(ValidationError):
        ProspectPatch.model_validate({"archived": archived})
