"""The small arithmetic language of the audit's checks (audit_checks.csv, column recomputed): claim ids, numbers,
+ - * /, unary minus, parentheses and the functions log, exp, sqrt and abs. Nothing else: no power, no floor
division, no attribute, no other name or call, so a check can neither run code nor ask for unbounded work.

    >>> parse("(L12 - 1) / (L13 - 1)")       # the claim ids it names, in order: ['L12', 'L13']
    >>> evaluate("log(L16) / log(L15)", {"L16": np.array([2.0]), "L15": np.array([4.0])})

An expression is parsed by Python's own parser (mode "eval") and only the nodes of this grammar are accepted; a
refusal says why in words a ledger editor can act on (ExpressionError).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping

import numpy as np

MAX_LENGTH = 200  # characters: the longest check today is under 50
MAX_DEPTH = 12  # nested operations
MAX_NUMBER = 1e12  # the largest literal, as for amounts in the data
CLAIM_ID = re.compile(r"^[A-Z][A-Z0-9]*_?[0-9]+$")  # A002_07, L12
FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log": np.log,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "abs": np.abs,
}
OPERATORS: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
}
GRAMMAR = "claim ids, numbers, + - * /, parentheses and log, exp, sqrt, abs"


class ExpressionError(ValueError):
    """An expression outside the grammar, with the reason."""


def _check(node: ast.AST, depth: int, names: list[str]) -> None:
    if depth > MAX_DEPTH:
        raise ExpressionError(f"nested more than {MAX_DEPTH} deep")
    if isinstance(node, ast.Expression):
        _check(node.body, depth, names)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in OPERATORS:
            raise ExpressionError(f"the operator {ast.unparse(node).strip()!r} is not one of + - * /")
        _check(node.left, depth + 1, names)
        _check(node.right, depth + 1, names)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check(node.operand, depth + 1, names)
    elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        if not abs(node.value) <= MAX_NUMBER:
            raise ExpressionError(f"the number {node.value!r} is larger than {MAX_NUMBER:g}")
    elif isinstance(node, ast.Name):
        if not CLAIM_ID.match(node.id):
            raise ExpressionError(f"{node.id!r} is not a claim id")
        names.append(node.id)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        if len(node.args) != 1 or node.keywords:
            raise ExpressionError(f"{node.func.id} takes one value")
        _check(node.args[0], depth + 1, names)
    else:
        raise ExpressionError(f"{ast.unparse(node)!r} is not part of the grammar ({GRAMMAR})")


def parse(expression: str) -> list[str]:
    """The claim ids `expression` names, in order of first appearance; ExpressionError if it is not in the grammar."""
    if not isinstance(expression, str) or not expression.strip():
        raise ExpressionError("empty")
    if len(expression) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"not an arithmetic expression ({error.msg})") from None
    except ValueError:  # a NUL character, which Python's parser refuses outright
        raise ExpressionError("not an arithmetic expression (a NUL character)") from None
    names: list[str] = []
    _check(tree, 0, names)
    return list(dict.fromkeys(names))


def evaluate(expression: str, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """The expression's value for arrays of values of its claim ids (element by element); a division by zero or the
    log of a negative number gives inf or nan, as numpy does, without a warning."""
    parse(expression)
    tree = ast.parse(expression.strip(), mode="eval")

    def value(node: ast.AST) -> np.ndarray:
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.BinOp):
            return OPERATORS[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp):
            operand = value(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return np.asarray(float(node.value))
        if isinstance(node, ast.Name):
            return np.asarray(values[node.id], dtype=float)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)  # parse() admitted nothing else
        return FUNCTIONS[node.func.id](value(node.args[0]))

    with np.errstate(all="ignore"):
        return value(tree)
