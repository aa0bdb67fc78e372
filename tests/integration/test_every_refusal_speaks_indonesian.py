"""Every field problem a service refuses with names its rule, and the console says that rule in
Bahasa Indonesia with the names and numbers the service gave.

Read from the source (``ast``): each ``FieldProblem(...)`` built in the services, the runtime and
the contracts passes ``type=``; a literal type is one the console's ``FIELD_PROBLEMS`` knows, and
its Indonesian template uses only the limits the call gives. A type that is not a literal is
followed, never skipped: to the literals a helper in the same module is called with, or, for a
value read from a refusal's reason, through the annotation that types it (which mypy holds the
code to) to every member of its enums. The reasons behind those enums are then produced for real
below, each member at least once, and said in Indonesian.
"""

import ast
import io
import string
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from PIL import Image
from pypdf import PdfWriter

from warta.console.i18n import FIELD_PROBLEMS, field_message
from warta.contracts import DomainError
from warta.coverage import inspection
from warta.intake import scans
from warta.intake.domain import ScanType
from warta.publisher import registry
from warta.runtime import images

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted(ROOT.glob("services/*/src")), ROOT / "runtime" / "src", ROOT / "contracts" / "src"]

# A type read from a value (a refusal's reason, a parsed row's problem): where, the expression, and
# the annotation that closes the set of rules it can name. Each entry must still be met in the source.
ENUM_TYPED: dict[tuple[str, str], Callable[[], Any]] = {
    ("services/intake/src/warta/intake/scans.py", "fault"): lambda: get_type_hints(scans._unreadable)["fault"],
    ("services/coverage/src/warta/coverage/uploads.py", "unreadable.fault"): lambda: get_type_hints(
        inspection.Unreadable.__init__
    )["fault"],
    ("services/publisher/src/warta/publisher/handlers.py", "p.type"): lambda: (
        registry.RowProblem.model_fields["type"].annotation
    ),
}

Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Rule:
    """One type a call can give, with the limits' names given with it (``None``: not known from
    the source, as for a reason's own limits; those are checked for real below)."""

    type: str
    limits: frozenset[str] | None


@dataclass
class Module:
    path: Path
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)

    @classmethod
    def parse(cls, path: Path, source: str) -> "Module":
        module = cls(path, ast.parse(source, filename=str(path)))
        for parent in ast.walk(module.tree):
            for child in ast.iter_child_nodes(parent):
                module.parents[child] = parent
        return module

    @property
    def name(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    def enclosing(self, node: ast.AST) -> Function | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, Function):
                return node
        return None

    def calls_of(self, function: Function) -> Iterator[ast.Call]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                callee = node.func
                if (isinstance(callee, ast.Name) and callee.id == function.name) or (
                    isinstance(callee, ast.Attribute) and callee.attr == function.name
                ):
                    yield node


class Unresolved(Exception):
    pass


@dataclass(frozen=True)
class Frame:
    """Where an expression is read: its module and function, and what the function's parameters
    were bound to by the call being followed (empty at the top)."""

    module: Module
    function: Function | None
    bound: dict[str, "Bound"]


@dataclass(frozen=True)
class Bound:
    expr: ast.expr | None  # None: a ``**kwargs`` parameter, whose names are ``keywords``
    frame: Frame
    keywords: frozenset[str] = frozenset()


MODULES = [
    Module.parse(path, path.read_text(encoding="utf-8")) for src in SOURCES for path in sorted(src.rglob("*.py"))
]


def field_problem_calls(module: Module) -> Iterator[ast.Call]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            callee = node.func
            name = (
                callee.id if isinstance(callee, ast.Name) else callee.attr if isinstance(callee, ast.Attribute) else ""
            )
            if name == "FieldProblem":
                yield node


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def parameters(function: Function) -> list[str]:
    args = function.args
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)] + ([args.kwarg.arg] if args.kwarg else [])


def bind(call: ast.Call, function: Function, caller: Frame) -> dict[str, Bound]:
    """The arguments of ``call`` by the parameters of ``function``, defaults included."""
    args = function.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    if positional[:1] in (["self"], ["cls"]) and isinstance(call.func, ast.Attribute):
        positional = positional[1:]
    bound: dict[str, Bound] = {}
    defaults = dict(zip(reversed(positional), reversed(args.defaults), strict=False))
    defaults |= {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None}
    for name, default in defaults.items():
        bound[name] = Bound(default, Frame(caller.module, function, {}))
    for name, value in zip(positional, call.args, strict=False):
        bound[name] = Bound(value, caller)
    named = set(parameters(function))
    extra = frozenset(k.arg for k in call.keywords if k.arg is not None and k.arg not in named)
    for k in call.keywords:
        if k.arg in named:
            bound[k.arg] = Bound(k.value, caller)
    if args.kwarg:
        bound[args.kwarg.arg] = Bound(None, caller, extra)
    return bound


class NeedsCaller(Exception):
    """The expression reads a parameter of its function: what each call passes decides it."""


def called(frame: Frame) -> Iterator[Frame]:
    """The frame as each call of its function, in its module, binds the parameters."""
    function = frame.function
    assert function is not None
    calls = list(frame.module.calls_of(function))
    if not calls:
        raise Unresolved(f"{function.name}() passes a parameter as the type and is never called in this module")
    for call in calls:
        yield Frame(frame.module, function, bind(call, function, caller_frame(frame.module, call)))


def each_call(read: Callable[[Frame], list[Any]], frame: Frame) -> list[Any]:
    """``read`` in ``frame``, or, where it needs a parameter, in the frame of every call."""
    try:
        return read(frame)
    except NeedsCaller:
        return [value for bound in called(frame) for value in read(bound)]


def caller_frame(module: Module, node: ast.AST) -> Frame:
    return Frame(module, module.enclosing(node), {})


def parameter(expr: ast.Name, frame: Frame) -> "Bound | None":
    """What ``expr`` was bound to, if it is a parameter of the frame's function."""
    if frame.function is None or expr.id not in parameters(frame.function):
        return None
    if not frame.bound:
        raise NeedsCaller(expr.id)
    if expr.id not in frame.bound:
        raise Unresolved(f"a call of {frame.function.name}() gives no {expr.id}")
    return frame.bound[expr.id]


def types_of(expr: ast.expr, frame: Frame) -> list[str]:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    if isinstance(expr, ast.IfExp):
        return types_of(expr.body, frame) + types_of(expr.orelse, frame)
    if (frame.module.name, ast.unparse(expr)) in ENUM_TYPED:
        return enum_values(ENUM_TYPED[(frame.module.name, ast.unparse(expr))]())
    if isinstance(expr, ast.Name) and (bound := parameter(expr, frame)) is not None:
        if bound.expr is None:
            raise Unresolved(f"the type is the keyword arguments of {expr.id}")
        given = bound.expr
        return each_call(lambda f: types_of(given, f), bound.frame)
    raise Unresolved(f"cannot tell which rule {ast.unparse(expr)!r} names; give a literal or an enum-typed value")


def limit_names(expr: ast.expr | None, frame: Frame) -> frozenset[str] | None:
    if expr is None or (isinstance(expr, ast.Constant) and expr.value is None):
        return frozenset()
    if isinstance(expr, ast.Dict):
        names: set[str] = set()
        for key, value in zip(expr.keys, expr.values, strict=True):
            if key is None:
                inner = limit_names(value, frame)
                if inner is None:
                    return None
                names |= inner
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                names.add(key.value)
            else:
                return None
        return frozenset(names)
    if isinstance(expr, ast.DictComp) and len(expr.generators) == 1:
        source = expr.generators[0].iter
        if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute) and source.func.attr == "items":
            return limit_names(source.func.value, frame)
    if isinstance(expr, ast.Name) and (bound := parameter(expr, frame)) is not None:
        if bound.expr is None:
            return bound.keywords
        return limit_names(bound.expr, bound.frame)
    return None


def enum_values(annotation: Any) -> list[str]:
    members = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    values: list[str] = []
    for member in members:
        if not (isinstance(member, type) and issubclass(member, Enum)):
            raise Unresolved(f"{annotation} is not a closed set of rules (an enum, or a union of enums)")
        values += [str(m.value) for m in member]
    return values


def rules_of(call: ast.Call, module: Module) -> list[Rule]:
    type_expr, limits_expr = keyword(call, "type"), keyword(call, "limits")
    if type_expr is None:
        raise Unresolved("no type=")
    top = caller_frame(module, call)
    if (module.name, ast.unparse(type_expr)) in ENUM_TYPED:
        return [Rule(t, None) for t in types_of(type_expr, top)]
    # The type and its limits from the same call of a helper, never one call's type with another's limits.
    rules = each_call(lambda f: [Rule(t, limit_names(limits_expr, f)) for t in types_of(type_expr, f)], top)
    if any(rule.limits is None for rule in rules):
        raise Unresolved("cannot tell which limits it gives; write limits= as a dict literal")
    return rules


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def faults(rule: Rule) -> list[str]:
    template = FIELD_PROBLEMS.get(rule.type)
    if template is None:
        return [f"type {rule.type!r} has no Indonesian sentence in the console's FIELD_PROBLEMS"]
    if rule.limits is not None and not placeholders(template) <= rule.limits:
        missing = sorted(placeholders(template) - rule.limits)
        return [f"type {rule.type!r}: the Indonesian sentence uses {missing}, which the limits do not give"]
    return []


def refusal_faults(module: Module) -> Iterator[str]:
    """Every ``FieldProblem`` call of ``module`` that the console cannot say in Indonesian."""
    for call in field_problem_calls(module):
        where = f"{module.name}:{call.lineno}"
        try:
            rules = rules_of(call, module)
        except Unresolved as unresolved:
            yield f"{where}: {unresolved}"
            continue
        for rule in rules:
            yield from (f"{where}: {fault}" for fault in faults(rule))


def literal_problem_faults(module: Module) -> Iterator[str]:
    """A field problem written as a dict (``{"field": ..., "type": "too_large"}``), as the runtime
    writes its own: its literal type must be one the console says too."""
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Dict):
            continue
        keys = {k.value: v for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant)}
        kind = keys.get("type")
        if "field" in keys and isinstance(kind, ast.Constant) and isinstance(kind.value, str):
            rule = Rule(kind.value, limit_names(keys.get("limits"), Frame(module, None, {})))
            yield from (f"{module.name}:{node.lineno}: {fault}" for fault in faults(rule))


def test_every_field_problem_names_a_rule_the_console_says_in_indonesian():
    found = [fault for module in MODULES for fault in (*refusal_faults(module), *literal_problem_faults(module))]
    assert not found, "field problems the console cannot say in Indonesian:\n" + "\n".join(found)


def test_the_check_reads_every_field_problem_and_its_enum_typed_values_are_still_there():
    calls = sum(1 for module in MODULES for _ in field_problem_calls(module))
    assert calls >= 50, f"only {calls} FieldProblem calls found: is the source tree where the test looks?"
    met = {
        (module.name, ast.unparse(expr))
        for module in MODULES
        for call in field_problem_calls(module)
        if (expr := keyword(call, "type")) is not None
    }
    assert set(ENUM_TYPED) <= met, f"stale entries: {set(ENUM_TYPED) - met}"


def test_field_problem_is_never_imported_under_another_name():
    aliased = [
        f"{module.name}:{node.lineno}"
        for module in MODULES
        for node in ast.walk(module.tree)
        if isinstance(node, ast.ImportFrom | ast.Import)
        for alias in node.names
        if alias.name.endswith("FieldProblem") and alias.asname not in (None, "FieldProblem")
    ]
    assert not aliased


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('FieldProblem("x", "message")', ["no type="]),
        ('FieldProblem("x", "message", type="no_such_rule_anywhere")', ["has no Indonesian sentence"]),
        ('FieldProblem("x", "m", type="already_registered", limits={"request_id": "r"})', ["['agenda_number']"]),
        ('FieldProblem("x", "m", type="already_registered")', ["['agenda_number']"]),
        ('FieldProblem("x", "m", type=kind)', ["cannot tell which rule 'kind' names"]),
        (
            "def helper(kind, **limits):\n"
            "    return FieldProblem('x', 'm', type=kind, limits={k: str(v) for k, v in limits.items()})\n"
            "helper('booked_elsewhere', name='Rina')\n"
            "helper('range_reversed')\n",
            ["'booked_elsewhere': the Indonesian sentence uses ['agenda_number', 'minutes', 'period', 'title']"],
        ),
        (
            "def helper(kind):\n    return FieldProblem('x', 'm', type=kind)\n",
            ["never called in this module"],
        ),
        ('FieldProblem("x", "m", type="in_future" if late else "in_repair", limits={"name": "KAMERA-01"})', []),
        ('FieldProblem("x", "m", type="in_future" if late else "in_repair")', ["'in_repair'"]),
        ('FieldProblem("x", "m", type="in_repair", limits=names)', ["write limits= as a dict literal"]),
    ],
)
def test_the_check_catches_a_missing_or_unknown_rule(source, expected):
    module = Module.parse(ROOT / "services" / "example" / "src" / "example.py", source)
    found = list(refusal_faults(module))
    assert len(found) == len(expected), found
    for fault, words in zip(found, expected, strict=True):
        assert words in fault


# -- the reasons behind the enum-typed rules, produced for real ------------------------------------


def said_in_indonesian(problem_type: str, limits: dict[str, str], english: str) -> str:
    """The console's sentence for the problem, formatted from exactly the limits given."""
    template = FIELD_PROBLEMS[problem_type]
    assert placeholders(template) <= set(limits), (problem_type, limits)
    said = field_message({"field": "f", "message": english, "type": problem_type, "limits": limits}, "id")
    assert said == template.format(**limits) != english
    return said


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def _pdf(*, pages: int, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_every_reason_an_image_is_refused_for_is_said_in_indonesian():
    seen = {}
    for data in (_png(40, 30), b"\x89PNG\r\n\x1a\n broken"):
        with pytest.raises(images.ImageRefused) as refused:
            images.decoded(data, max_pixels=1000)
        seen[refused.value.fault] = said_in_indonesian(refused.value.fault, refused.value.limits, refused.value.reason)
    assert set(seen) == set(images.ImageFault)
    assert seen[images.ImageFault.TOO_MANY_PIXELS] == (
        "gambar terlalu besar, lebih dari 1.000 piksel; perkecil ukurannya lalu unggah lagi"
    )


def test_every_reason_a_letter_scan_is_refused_for_is_said_in_indonesian():
    cases = [
        (b"%PDF-1.4\n1 0 obj\n", ScanType.PDF),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage\n%%EOF\n", ScanType.PDF),
        (_pdf(pages=1, password="rahasia"), ScanType.PDF),
        (_pdf(pages=0), ScanType.PDF),
        (b"\x89PNG\r\n\x1a\n broken", ScanType.PNG),
        (_png(40, 30), ScanType.PNG),
    ]
    seen = set()
    for data, kind in cases:
        with pytest.raises(DomainError) as refused:
            scans.check_scan(io.BytesIO(data), kind, max_pixels=1000)
        (problem,) = refused.value.fields
        assert problem.type is not None
        said_in_indonesian(problem.type, problem.limits or {}, problem.message)
        seen.add(problem.type)
    assert seen == {*scans.PdfFault, *images.ImageFault}


async def test_a_video_without_its_index_or_with_its_header_cut_is_said_in_indonesian():
    without_index = struct.pack(">I4s", 1008, b"mdat") + bytes(1000)
    cut_header = struct.pack(">I4s", 18, b"moov") + struct.pack(">I4s", 10, b"mvhd") + b"\x00\x00"
    faults = set()
    for video in (without_index, cut_header):

        async def read_at(offset: int, length: int, video: bytes = video) -> bytes:
            return video[offset : offset + length]

        with pytest.raises(inspection.Unreadable) as refused:
            await inspection.inspect_video(read_at, len(video))
        faults.add(refused.value.fault)
        said_in_indonesian(refused.value.fault, refused.value.limits, refused.value.reason)
    assert faults == set(inspection.VideoFault)


def test_every_problem_of_a_media_registry_row_is_an_indonesian_sentence_naming_it():
    header = ",".join(registry.COLUMNS)
    rows = [
        "Tangerang Pos,print,ya,PWI,Ani,Kota,ani@tangpos.id,ya",
        ",koran,mungkin,,,,,ya",
        "Radar Banten,online,ya,,Budi,,bukan-email,kadang",
        "Tangerang Pos,print,tidak,PWI,Citra,Kota,citra@tangpos.id,ya",
        "Banten TV,tv,ya,IJTI,Ani lagi,,ani@tangpos.id,ya",
    ]
    problems = registry.parse_csv("\n".join([header, *rows]) + "\n").problems
    said = {(p.row, p.field): said_in_indonesian(p.type, p.limits, p.message) for p in problems}
    missing_columns = registry.parse_csv("outlet,email\nTangerang Pos,ani@tangpos.id\n").problems
    said |= {(p.row, p.field): said_in_indonesian(p.type, p.limits, p.message) for p in missing_columns}
    assert {p.type for p in [*problems, *missing_columns]} == set(registry.RowFault)
    assert said[(3, "outlet")] == "baris 3: kolom «outlet» wajib diisi"
    assert said[(3, "outlet_type")] == (
        "baris 3: isi kolom «outlet_type» harus salah satu dari «print, online, tv, radio, news_agency»"
    )
    assert said[(4, "email")] == "baris 4: «bukan-email» bukan alamat email yang sah"
    assert said[(6, "email")] == "baris 6: alamat email ani@tangpos.id sudah tercantum di baris 2"
    assert said[(5, "outlet")] == (
        "baris 5: data media «Tangerang Pos» berbeda dengan baris sebelumnya untuk media yang sama"
    )
    assert said[(1, "contact_name")] == "kolom «contact_name» tidak ada di baris judul (baris 1)"
