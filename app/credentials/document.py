"""The Open Badges 3.0 `OpenBadgeCredential` of a programme or an ECVET unit (VC Data Model 2.0).

Hours and ECVET points travel as the achievement's `creditsAvailable` (points), two
`resultDescription`s with the trainee's `result`s, and `creditsEarned`; learning outcomes in the
criteria narrative; the EQF level as an alignment to the European Qualifications Framework.
The holder is named by `identifier` (their name, unhashed: a reader of the badge must see it),
never by e-mail or account id."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app

from ..models import EcvetUnit, Programme
from ..services.transcript import AWARDING_BODIES, UnitLine, awarding_body

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: Defines `1EdTechJsonSchemaValidator2019`, the credentialSchema type: neither the VC 2.0 nor the
#: OB 3.0 context does, so without it that type would be an undefined term (a relative IRI).
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CONTEXTS = [VC_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT]
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
EQF_URL = "https://europa.eu/europass/en/description-eight-eqf-levels"
PLATFORM_ISSUER = "platform"


def base_url() -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/")


def credential_url(credential_id: str) -> str:
    return f"{base_url()}/credentials/{credential_id}"


def status_list_url(key: str | None = None) -> str:
    """The revocation list of an issuer (`key`), or the platform-wide one that credentials issued
    before the lists were per issuer name (key None). Every list carries every revoked index:
    an index belongs to one credential in all, so the lists differ only in who issues them, and a
    verifier that requires the list's issuer to be the credential's finds it so."""
    if key is None:
        return f"{base_url()}/credentials/status/revocation"
    return f"{base_url()}/credentials/status/{key}/revocation"


def issuer_key(country_code: str | None) -> str:
    return country_code.lower() if country_code else PLATFORM_ISSUER


def issuer_profile(key: str) -> dict[str, Any] | None:
    """The Profile of the coordinating institution of a country (the transcript's awarding body),
    or of the platform itself; None for an unknown key."""
    code = None if key == PLATFORM_ISSUER else key.upper()
    known = {**AWARDING_BODIES, **current_app.config.get("LIFE_AWARDING_BODIES", {})}
    if code is not None and code not in known:
        return None
    profile: dict[str, Any] = {"id": f"{base_url()}/credentials/issuer/{key}", "type": ["Profile"],
                               "name": awarding_body(code)}
    url = current_app.config.get("LIFE_AWARDING_BODY_URLS", {}).get(code or PLATFORM_ISSUER)
    profile["url"] = url or base_url()
    return profile


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _outcomes_narrative(units: list[EcvetUnit]) -> str:
    lines = []
    for unit in units:
        lines.append(f"{unit.code} {unit.title}:")
        lines += [f"- ({o.get('kind', 'competence')}) {o.get('text', '')}" for o in unit.learning_outcomes]
    return "\n".join(lines)


def _eqf_alignment(level: int | None) -> list[dict[str, Any]]:
    if level is None:
        return []
    return [{"type": ["Alignment"], "targetName": f"EQF level {level}", "targetUrl": EQF_URL,
             "targetFramework": "European Qualifications Framework", "targetCode": str(level)}]


def achievement(programme: Programme, unit: EcvetUnit | None, hours: Decimal, points: Decimal) -> dict[str, Any]:
    achievement_id = f"{base_url()}/credentials/achievements/{programme.slug}" + (f"/{unit.code}" if unit else "")
    units = [unit] if unit else list(programme.ecvet_units)
    eqf = (unit.eqf_level if unit and unit.eqf_level else None) or programme.eqf_level
    rule = ("A unit's ECVET credit points are awarded in full when every module of the unit is complete, "
            "that is when all of the module's required activities are done.")
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "MicroCredential" if unit else "LearningProgram",
        "name": f"{unit.code} {unit.title}" if unit else programme.title,
        "description": (f"ECVET unit of learning outcomes of {programme.title}" if unit
                        else f"{programme.title} (version {programme.version})"),
        "criteria": {"narrative": f"{rule}\n\nLearning outcomes:\n{_outcomes_narrative(units)}"},
        "creditsAvailable": _number(points),
        "humanCode": unit.code if unit else programme.slug,
        "inLanguage": "en",
        "alignment": _eqf_alignment(eqf),
        "resultDescription": [
            {"id": f"{achievement_id}#hours", "type": ["ResultDescription"], "name": "Hours of learning",
             "resultType": "ext:NotionalHours"},
            {"id": f"{achievement_id}#ecvet", "type": ["ResultDescription"], "name": "ECVET credit points",
             "resultType": "ext:EcvetCreditPoints"},
        ],
    }


def credential(*, credential_id: str, holder_name: str, issued_at: datetime, country_code: str | None,
               programme: Programme, unit_line: UnitLine | None, hours: Decimal, points: Decimal,
               status_index: int) -> dict[str, Any]:
    unit = unit_line.unit if unit_line else None
    body = achievement(programme, unit, hours, points)
    key = issuer_key(country_code) if issuer_profile(issuer_key(country_code)) else PLATFORM_ISSUER
    issuer = issuer_profile(key)
    return {
        "@context": list(CONTEXTS),
        "id": credential_url(credential_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": body["name"],
        "issuer": issuer,
        "validFrom": issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": holder_name, "identityType": "name",
                            "hashed": False}],
            "achievement": body,
            "creditsEarned": _number(points),
            "result": [
                {"type": ["Result"], "resultDescription": f"{body['id']}#hours", "value": str(_number(hours))},
                {"type": ["Result"], "resultDescription": f"{body['id']}#ecvet", "value": str(_number(points))},
            ],
        },
        "credentialStatus": {
            "id": f"{status_list_url(key)}#{status_index}", "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": str(status_index),
            "statusListCredential": status_list_url(key),
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
