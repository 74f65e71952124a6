"""The analyst query language, parsed by hand into a small AST.

Why our own parser: Elasticsearch's ``query_string`` is lenient in surprising ways (or throws 400s
deep inside ES on input an analyst considers obvious), and it would let a caller reach any field.
This grammar is deliberately small and every error carries a hint that says what to type instead::

    query    := or_expr
    or_expr  := and_expr ( ("OR" | "||" | <implicit when default is OR>) and_expr )*
    and_expr := unary ( ("AND" | "&&" | <implicit when default is AND>) unary )*
    unary    := ("NOT" | "!" | "-" | "+") unary | primary
    primary  := "(" or_expr ")" | [field ":"] ( word | word"*" | "phrase" | "(" or_expr ")" )
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Union

from mappings.vocabulary import MAX_DEPTH, MAX_PREFIXES, MAX_QUERY_CHARS, MAX_TERMS, MIN_PREFIX

from .errors import QuerySyntaxError


@dataclass(frozen=True)
class Term:
    text: str
    field: str | None = None
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Not:
    node: "Node"


@dataclass(frozen=True)
class Required:
    """``+x``: must match even inside an OR group."""

    node: "Node"


@dataclass(frozen=True)
class BoolOp:
    op: Literal["and", "or"]
    children: tuple["Node", ...]


Node = Union[Term, Phrase, Not, Required, BoolOp]


@dataclass(frozen=True)
class Token:
    kind: str  # WORD PHRASE LPAREN RPAREN AND OR NOT PLUS MINUS COLON
    value: str
    pos: int


_WORD_END = set(' \t\r\n()"')
_OPERATORS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT", "!": "NOT"}


def tokenize(q: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
        elif c == "(":
            tokens.append(Token("LPAREN", c, i)); i += 1
        elif c == ")":
            tokens.append(Token("RPAREN", c, i)); i += 1
        elif c == '"':
            end = q.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError(
                    f"unclosed quote at position {i + 1}",
                    hint='close the phrase with a second " (e.g. "oil prices"), or remove the quote',
                )
            tokens.append(Token("PHRASE", q[i + 1:end], i)); i = end + 1
        elif c in "+-" and (not tokens or _starts_unary(q, i)):
            tokens.append(Token("PLUS" if c == "+" else "MINUS", c, i)); i += 1
        else:
            j = i
            while j < n and q[j] not in _WORD_END:
                j += 1
            word = q[i:j]
            # field:value / field:"phrase" / field:(group) — split on the first colon.
            m = re.match(r"^([A-Za-z_][A-Za-z0-9_.]*):(.*)$", word)
            if m:
                tokens.append(Token("FIELD", m.group(1), i))
                if m.group(2):
                    tokens.append(Token("WORD", m.group(2), i + len(m.group(1)) + 1))
                i = j
                continue
            op = _OPERATORS.get(word)
            if not op and not any(ch.isalnum() for ch in word.rstrip("*")):
                # Punctuation alone ("oil & gas", "Iran — talks") analyses to nothing and would
                # turn an AND query into "match nothing": drop it, like the analyzer does.
                i = j
                continue
            tokens.append(Token(op, word, i) if op else Token("WORD", word, i))
            i = j
    return tokens


def _starts_unary(q: str, i: int) -> bool:
    """A +/- is an operator at the start of a word (``-foo``), not inside one (``e-mail``)."""
    return (i == 0 or q[i - 1].isspace() or q[i - 1] == "(") and i + 1 < len(q) and not q[i + 1].isspace()


class _Parser:
    def __init__(self, tokens: list[Token], fields: frozenset[str], default_operator: str):
        self.toks = tokens
        self.i = 0
        self.fields = fields
        self.default = default_operator
        self.terms = 0
        self.prefixes = 0

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.or_expr(0)
        tok = self.peek()
        if tok is not None:
            if tok.kind == "RPAREN":
                raise QuerySyntaxError(
                    f"unexpected ')' at position {tok.pos + 1}",
                    hint="remove the extra ')' or add the matching '('",
                )
            raise QuerySyntaxError(f"unexpected {tok.value!r} at position {tok.pos + 1}")
        return node

    def _starts_operand(self, tok: Token | None) -> bool:
        return tok is not None and tok.kind in ("WORD", "PHRASE", "LPAREN", "NOT", "PLUS", "MINUS", "FIELD")

    def or_expr(self, depth: int) -> Node:
        return self._chain("or", self.and_expr, depth)

    def and_expr(self, depth: int) -> Node:
        return self._chain("and", self.unary, depth)

    def _chain(self, op: str, operand, depth: int) -> Node:
        """``operand (OP operand)*``; two operands side by side also chain when OP is the default."""
        children = [operand(depth)]
        while True:
            tok = self.peek()
            if tok is not None and tok.kind == op.upper():
                self.take()
                self._need_operand(tok)
                children.append(operand(depth))
            elif self.default == op and self._starts_operand(tok):
                children.append(operand(depth))
            else:
                break
        return children[0] if len(children) == 1 else BoolOp(op, tuple(children))

    def _need_operand(self, op: Token) -> None:
        if not self._starts_operand(self.peek()):
            raise QuerySyntaxError(
                f"{op.value!r} at position {op.pos + 1} has nothing after it",
                hint=f"put a word or phrase after {op.value}, or quote it (\"{op.value}\") to search for it",
            )

    def unary(self, depth: int) -> Node:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("the query ends too early", hint="finish the expression or remove the operator")
        if tok.kind in ("NOT", "MINUS", "PLUS"):
            self._depth(depth)
            self.take()
            self._need_operand(tok)
            inner = self.unary(depth + 1)
            return Required(inner) if tok.kind == "PLUS" else Not(inner)
        return self.primary(depth, None)

    @staticmethod
    def _depth(depth: int) -> None:
        if depth > MAX_DEPTH:
            raise QuerySyntaxError("the query is nested too deeply",
                                   hint=f"use at most {MAX_DEPTH} levels of parentheses, NOT and field:")

    def primary(self, depth: int, field: str | None) -> Node:
        self._depth(depth)
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("the query ends too early", hint="finish the expression")
        if tok.kind == "LPAREN":
            self.take()
            if self.peek() is not None and self.peek().kind == "RPAREN":
                raise QuerySyntaxError(f"empty parentheses at position {tok.pos + 1}", hint="put a word inside ( ) or remove them")
            node = self._with_field(self.or_expr(depth + 1), field)
            close = self.peek()
            if close is None or close.kind != "RPAREN":
                raise QuerySyntaxError(
                    f"the '(' at position {tok.pos + 1} is never closed", hint="add the missing ')'"
                )
            self.take()
            return node
        if tok.kind == "FIELD":
            self.take()
            if field is not None:
                raise QuerySyntaxError(f"nested field {tok.value!r} at position {tok.pos + 1}", hint="use one field: per value")
            name = tok.value.lower()
            if name not in self.fields:
                raise QuerySyntaxError(
                    f"unknown field {tok.value!r} at position {tok.pos + 1}",
                    hint="searchable fields: " + ", ".join(sorted(self.fields))
                    + '; to search the text literally, put it in quotes ("' + tok.value + ':…")',
                )
            nxt = self.peek()
            adjacent = nxt is not None and nxt.pos == tok.pos + len(tok.value) + 1
            if not adjacent or nxt.kind not in ("WORD", "PHRASE", "LPAREN"):
                raise QuerySyntaxError(
                    f"field {tok.value!r} at position {tok.pos + 1} has no value",
                    hint=f'write {name}:value or {name}:"two words" with no space after the colon',
                )
            return self.primary(depth + 1, name)
        if tok.kind == "PHRASE":
            self.take()
            text = tok.value.strip()
            if not text:
                raise QuerySyntaxError(f'empty phrase "" at position {tok.pos + 1}', hint="put words between the quotes")
            self._count()
            return Phrase(text, field)
        if tok.kind == "WORD":
            self.take()
            return self._word(tok, field)
        if tok.kind == "RPAREN":
            raise QuerySyntaxError(f"unexpected ')' at position {tok.pos + 1}", hint="remove it or add the matching '('")
        raise QuerySyntaxError(
            f"{tok.value!r} at position {tok.pos + 1} needs a word before it",
            hint=f"put a word on both sides of {tok.value}, or quote it to search for it",
        )

    def _word(self, tok: Token, field: str | None) -> Node:
        text = tok.value
        prefix = text.endswith("*")
        core = text.rstrip("*") if prefix else text
        if "*" in core:
            raise QuerySyntaxError(
                f"wildcard inside {text!r} at position {tok.pos + 1}",
                hint="only a trailing * is supported (e.g. sanction*); quote the word to search it literally",
            )
        if prefix and len(core) < MIN_PREFIX:
            raise QuerySyntaxError(
                f"prefix {text!r} at position {tok.pos + 1} is too short",
                hint=f"type at least {MIN_PREFIX} characters before *",
            )
        self._count()
        if prefix:
            self.prefixes += 1
            if self.prefixes > MAX_PREFIXES:
                raise QuerySyntaxError("the query has too many prefix* terms",
                                       hint=f"use at most {MAX_PREFIXES} words ending in *")
        return Term(core, field, prefix)

    def _count(self) -> None:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError("the query has too many terms", hint=f"use at most {MAX_TERMS} words and phrases")

    @staticmethod
    def _with_field(node: Node, field: str | None) -> Node:
        if field is None:
            return node
        if isinstance(node, Term):
            return Term(node.text, node.field or field, node.prefix)
        if isinstance(node, Phrase):
            return Phrase(node.text, node.field or field)
        if isinstance(node, Not):
            return Not(_Parser._with_field(node.node, field))
        if isinstance(node, Required):
            return Required(_Parser._with_field(node.node, field))
        return BoolOp(node.op, tuple(_Parser._with_field(c, field) for c in node.children))


def parse(q: str, fields: frozenset[str], default_operator: str = "and") -> Node | None:
    """Parse ``q``; ``None`` for a blank query (match everything)."""
    if not q or not q.strip() or q.strip() == "*":
        return None
    if len(q) > MAX_QUERY_CHARS:  # every caller, not only the API's request model
        raise QuerySyntaxError(f"the query is {len(q)} characters long",
                               hint=f"use at most {MAX_QUERY_CHARS} characters")
    tokens = tokenize(q)
    if not tokens:
        return None
    return _Parser(tokens, fields, default_operator.lower()).parse()
