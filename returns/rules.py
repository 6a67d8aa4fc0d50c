"""Validation rules as data: a small, safe evaluator over Python's ``ast`` (never ``eval``).

An expression is a condition that must hold. It may use only:

- the return's figures (``households``...) and last quarter's as ``prev_<figure>``;
  (the household planning standard is not a check of a return: it is a planning measure,
  reported yearly by the ``planning`` report);
- numbers; ``+ - * /`` and unary minus; comparisons (``< <= > >= == !=``, chained too);
  ``and``, ``or``, ``not``; ``abs(...)``; parentheses.

Numbers are computed as :class:`decimal.Decimal`, so ``0.2 * prev_households`` is exact.
A rule that refers to a value that is not known (an empty field, no last quarter) is not
applied, and neither is one that divides by zero.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils.translation import gettext as _

from .figures import FIGURES, Severity

NAMES = frozenset([*FIGURES, *(f"prev_{name}" for name in FIGURES)])

BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
MAX_LENGTH = 300


class ExpressionError(ValueError):
    """The expression uses something the rules language does not allow."""


class NotApplicable(Exception):
    """A value the rule needs is unknown; the rule is skipped."""


def _check(node: ast.AST) -> None:
    if isinstance(node, ast.Expression):
        _check(node.body)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.Not | ast.USub | ast.UAdd):
            raise ExpressionError(_("Only “not” and the minus sign may stand before a value."))
        _check(node.operand)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in BINARY:
            raise ExpressionError(_("Only + - * / may be used for arithmetic."))
        _check(node.left)
        _check(node.right)
    elif isinstance(node, ast.Compare):
        if any(type(op) not in COMPARE for op in node.ops):
            raise ExpressionError(_("Only < <= > >= == != may be used to compare."))
        _check(node.left)
        for comparator in node.comparators:
            _check(comparator)
    elif isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id == "abs"):
            raise ExpressionError(_("The only function allowed is abs()."))
        if len(node.args) != 1 or node.keywords:
            raise ExpressionError(_("abs() takes exactly one value."))
        _check(node.args[0])
    elif isinstance(node, ast.Name):
        if node.id not in NAMES:
            raise ExpressionError(
                _("Unknown name “%(name)s”. Names: %(names)s.")
                % {"name": node.id, "names": ", ".join(sorted(NAMES))}
            )
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(_("Only numbers may be written as constants."))
    else:
        raise ExpressionError(
            _("“%(part)s” is not allowed in a rule.") % {"part": type(node).__name__}
        )


@lru_cache(maxsize=256)
def compile_expression(expression: str) -> ast.Expression:
    """Parse and check ``expression``; raise :class:`ExpressionError` if it is not allowed."""
    text = (expression or "").strip()
    if not text:
        raise ExpressionError(_("The expression is empty."))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(_("The expression is too long."))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            _("The expression cannot be read: %(reason)s") % {"reason": exc.msg}
        ) from exc
    _check(tree)
    return tree


def _value(node: ast.AST, names: dict):
    if isinstance(node, ast.Expression):
        return _value(node.body, names)
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            result = True
            for value in node.values:
                result = _value(value, names)
                if not result:
                    return result
            return result
        result = False
        for value in node.values:
            result = _value(value, names)
            if result:
                return result
        return result
    if isinstance(node, ast.UnaryOp):
        operand = _value(node.operand, names)
        if isinstance(node.op, ast.Not):
            return not operand
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _value(node.left, names), _value(node.right, names)
        try:
            return BINARY[type(node.op)](Decimal(left), Decimal(right))
        except (ZeroDivisionError, InvalidOperation) as exc:
            raise NotApplicable from exc
    if isinstance(node, ast.Compare):
        left = _value(node.left, names)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _value(comparator, names)
            if not COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call):
        return abs(_value(node.args[0], names))
    if isinstance(node, ast.Name):
        value = names.get(node.id)
        if value is None:
            raise NotApplicable
        return Decimal(value)
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    raise ExpressionError(type(node).__name__)  # unreachable after _check


def evaluate(expression: str, names: dict) -> bool | None:
    """True if the condition holds, False if not, None if the rule does not apply."""
    tree = compile_expression(expression)
    try:
        return bool(_value(tree, names))
    except NotApplicable:
        return None


def compared_with_last_quarter(expression: str) -> tuple[str, ...]:
    """The figures whose change from last quarter ``expression`` judges: those it names both
    as ``<figure>`` and as ``prev_<figure>`` (the seeded 20% rules, say). A page highlights
    such a figure's change when the rule fails, so "outside the usual range" is whatever
    the active rules say, with no second rule."""
    try:
        tree = compile_expression(expression)
    except ExpressionError:
        return ()
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return tuple(name for name in FIGURES if name in names and f"prev_{name}" in names)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    changes: tuple[str, ...] = ()  # figures whose change from last quarter the rule judges

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


def rule_names(*, figures: dict, previous: dict | None) -> dict:
    names = {name: figures.get(name) for name in FIGURES}
    for name in FIGURES:
        names[f"prev_{name}"] = (previous or {}).get(name)
    return names


def check_figures(*, rules, figures: dict, previous: dict | None) -> list[Finding]:
    """Every active rule that fails for these figures, errors first."""
    names = rule_names(figures=figures, previous=previous)
    findings = []
    for rule in rules:
        if not rule.active:
            continue
        try:
            holds = evaluate(rule.expression, names)
        except ExpressionError:
            continue  # a rule saved before it was checked; the admin refuses new ones
        if holds is False:
            findings.append(
                Finding(
                    rule.name,
                    rule.severity,
                    rule.message,
                    changes=compared_with_last_quarter(rule.expression),
                )
            )
    findings.sort(key=lambda f: 0 if f.is_error else 1)
    return findings
