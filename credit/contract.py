"""The input tables of a drop, as data (DATA_CONTRACT.md "Inputs"; INDEX_SYSTEM.md "Precise readings")."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

MATERIAL_ITEMS = ("commitment", "licence", "cma", "key_roles", "staff", "equipment", "other")
KEY_ROLES = (
    "legal_representative",
    "top_manager",
    "technical_director",
    "authorized_signatory",
    "quality_manager",
)


@dataclass(frozen=True)
class Table:
    """One input table: its file, columns, and the checks the contract fixes for its rows."""

    name: str
    columns: tuple[str, ...]
    optional_columns: tuple[str, ...] = ()
    own_id: str | None = None  # missing → row quarantined
    code_columns: tuple[str, ...] = ()  # 统一社会信用代码 whose wrong check character quarantines the row
    soft_code_columns: tuple[str, ...] = ()  # wrong check character → warning, value read as empty
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)  # empty cell is outside the set too
    dates: tuple[str, ...] = ()  # must parse when not empty
    key: tuple[str, ...] = ()  # first valid row takes the key, later ones are duplicates
    required_file: bool = True
    checks_as: str | None = None  # a table validated like another one (its suite and checks)
    # Issue 11 item 10: the widths of the store's String(n) columns this table's values reach
    # (store/models.py; tests/integration/test_hostile_drop.py keeps the two equal). SQLite stores any
    # length, PostgreSQL refuses a longer value, so validation checks them and both store the same drop:
    # an id over its width quarantines the row; a soft column over it is a warning and is read as empty
    # (never truncated silently).
    max_lengths: dict[str, int] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The table whose suite and checks apply: its own name unless `checks_as` says otherwise."""
        return self.checks_as or self.name

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def all_columns(self) -> tuple[str, ...]:
        return self.columns + self.optional_columns


INSTITUTIONS = Table(
    name="institutions",
    columns=(
        "institution_id", "name", "county", "address", "legal_nature", "registered_on",
        "status", "status_changed_on", "materials_missing",
    ),
    optional_columns=("contact_email",),  # where the result notice is mailed (issue 13; tasks/notices.py checks it)
    own_id="institution_id",
    code_columns=("institution_id",),
    enums={"status": ("registered", "suspended", "removed")},
    # status_changed_on is read only when status is removed (checked there, not here).
    dates=("registered_on",),
    key=("institution_id",),
    max_lengths={"county": 32, "legal_nature": 32},  # soft: warning, read as empty
)

QUALIFICATIONS = Table(
    name="qualifications",
    columns=("institution_id", "certificate_no", "valid_from", "valid_to", "parameter_code", "method_standard"),
    own_id="certificate_no",
    code_columns=("institution_id",),
    dates=("valid_from", "valid_to"),
    key=("institution_id", "certificate_no", "parameter_code"),
)

PERSONNEL = Table(
    name="personnel",
    columns=("institution_id", "person_id", "name", "role", "valid_from", "valid_to"),
    own_id="person_id",
    code_columns=("institution_id",),
    enums={"role": KEY_ROLES + ("technician", "sampler")},
    dates=("valid_from", "valid_to"),
)

EQUIPMENT = Table(
    name="equipment",
    columns=("institution_id", "equipment_id", "name", "calibration_valid_to"),
    own_id="equipment_id",
    code_columns=("institution_id",),
    dates=("calibration_valid_to",),
    key=("institution_id", "equipment_id"),
)

CHANGES = Table(
    name="changes",
    columns=("institution_id", "item", "changed_on", "filed_on"),
    code_columns=("institution_id",),
    enums={"item": ("name", "address", "legal_nature", "key_personnel", "qualification_scope")},
    dates=("changed_on", "filed_on"),
    key=("institution_id", "item", "changed_on"),
)

ACTIVITIES = Table(
    name="activities",
    columns=(
        "activity_id", "institution_id", "institution_name", "kind", "client_id", "client_name",
        "client_role", "subject_id", "county", "parameters", "equipment_ids", "sampled_on",
        "report_no", "report_issued_on", "signatory_id", "submitted_on",
    ),
    own_id="activity_id",
    code_columns=("institution_id",),
    soft_code_columns=("client_id", "subject_id"),
    enums={
        "kind": ("monitoring", "operation_maintenance"),
        "client_role": ("regulator", "regulated", "other"),
    },
    dates=("sampled_on", "report_issued_on", "submitted_on"),
    key=("activity_id",),
)

CREDIT_EVENTS = Table(
    name="credit_events",
    columns=(
        "event_id", "institution_id", "source", "indicator", "clause", "occurred_on", "decided_on",
        "verified", "verified_on", "document_no", "summary",
    ),
    optional_columns=("amount_yuan", "effective_until"),
    own_id="event_id",
    code_columns=("institution_id",),
    enums={
        "source": (
            "inspection", "blind_sample", "interlab", "complaint", "penalty", "court",
            "procurement", "credit_platform", "media", "association", "other",
        ),
        "verified": ("true", "false"),  # compared case-insensitively
    },
    # occurred_on is read by no rule, so it is not checked.
    dates=("decided_on", "verified_on", "effective_until"),
    key=("event_id",),
)

OBJECTIONS = Table(
    name="objections",
    columns=("objection_id", "institution_id", "filer_kind", "filer_name", "received_on", "has_evidence", "claim"),
    own_id="objection_id",
    code_columns=("institution_id",),
    enums={
        "filer_kind": ("institution", "public", "organisation"),
        "has_evidence": ("true", "false"),
    },
    dates=("received_on",),
    key=("objection_id",),
    max_lengths={"objection_id": 64},  # its own id: quarantined
    required_file=False,
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        INSTITUTIONS, QUALIFICATIONS, PERSONNEL, EQUIPMENT, CHANGES, ACTIVITIES, CREDIT_EVENTS, OBJECTIONS,
    )
}

# Credit events recorded in the store (verified inspection findings and complaints: credit/supervision.py).
# They are validated and scored like credit_events.csv rows, but never read from a drop's files: the
# evaluation adds them to the drop it pulled (tasks/supervision.py). They carry no fine and no lasting state.
RECORDED_EVENTS = replace(
    CREDIT_EVENTS, name="recorded_events", optional_columns=(), required_file=False, checks_as="credit_events"
)
STORE_TABLES: dict[str, Table] = {RECORDED_EVENTS.name: RECORDED_EVENTS}

# Columns compared case-insensitively (the contract says `true`/`false` "any case").
CASE_INSENSITIVE_ENUMS = {("credit_events", "verified"), ("objections", "has_evidence")}
