"""One source edit on one call, on libcst's concrete syntax tree: the call is
found by the position the tracer recorded (line and column of its start) and
its name, and only it changes — spacing, comments and everything else in the
file stay byte for byte.

Actions (``Finding.edit.action``, a ``linting.findings.SourceEdit``):

- ``set_argument``: give the call ``keyword=value``, replacing the keyword or
  the positional argument at ``position`` if present (``bias=False``,
  ``training=self.training``, a Linear's ``in_features``);
- ``flatten_argument``: ``self.fc1(x)`` → ``self.fc1(torch.flatten(x, 1))``
  (``import torch`` added when the file lacks it);
- ``flatten_view``: ``x.view(-1, 320)`` → ``x.flatten(1)``;
- ``unwrap_call``: ``F.softmax(x, dim=1)`` → ``x``;
- ``replace_constructor``: ``nn.AvgPool2d(7)`` → ``nn.AdaptiveAvgPool2d(1)``;
- ``swap_arguments``: two neighbouring layers of one ``nn.Sequential(...)``
  change places (an activation and the BatchNorm it should follow);
- ``move_to_init``: ``nn.Linear(4, 2)(x)`` in forward → ``self.linear(x)``,
  with ``self.linear = nn.Linear(4, 2)`` appended to the class's ``__init__``.
"""

from __future__ import annotations


class FixError(Exception):
    """The edit cannot be made on this source (the call is not there)."""


def apply_edit(source: str, edit) -> str:
    """``source`` with ``edit`` (a placed ``SourceEdit``) made."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    try:
        wrapper = MetadataWrapper(cst.parse_module(source))
    except cst.ParserSyntaxError as exc:
        raise FixError(f"the file does not parse: {exc.message}") from None
    positions = wrapper.resolve(PositionProvider)
    line, column = edit.line, edit.col - 1
    at = [node for node, where in positions.items() if isinstance(node, cst.Call)
          and where.start.line == line and where.start.column == column]
    named = [node for node in at if _name(node.func) == edit.callee]
    candidates = named or (at if len(at) == 1 else [])
    if len(candidates) != 1:
        raise FixError(f"no single call of {edit.callee} at line {line}, column "
                       f"{column + 1}: the file changed since it was linted?")
    target = candidates[0]
    if edit.action == "move_to_init":
        return _move_to_init(cst, wrapper, target, edit)
    if edit.action == "swap_arguments":
        return _swap_arguments(cst, wrapper, positions, target, edit)
    replacement = _ACTIONS[edit.action](cst, target, edit)
    module = wrapper.module.deep_replace(target, replacement)
    if edit.action == "flatten_argument" and not _imports_torch(module):
        module = module.with_changes(body=[cst.parse_statement("import torch\n"),
                                           *module.body])
    return module.code


def _name(func) -> str | None:
    """``nn.Conv2d`` → ``Conv2d``; ``self.fc1`` → ``fc1``; ``F.dropout`` → ``dropout``."""
    import libcst as cst

    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return None


def _set_argument(cst, call, edit):
    value = cst.parse_expression(edit.value)
    keyword = edit.keyword
    args = list(call.args)
    for index, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == keyword:
            args[index] = arg.with_changes(value=value)
            return call.with_changes(args=args)
    positional = [i for i, arg in enumerate(args) if arg.keyword is None and not arg.star]
    position = edit.position
    if position is not None and position < len(positional):
        index = positional[position]
        args[index] = args[index].with_changes(value=value)
        return call.with_changes(args=args)
    if any(arg.star == "**" for arg in args):
        raise FixError(f"the call passes **kwargs: {keyword} may be among them")
    new = cst.Arg(value=value, keyword=cst.Name(keyword),
                  equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                        whitespace_after=cst.SimpleWhitespace("")))
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):
        # A trailing comma (a call over several lines): the new argument takes
        # the last one's place in the layout, the last one the separator
        # that the others use.
        before = args[-2].comma if len(args) > 1 and isinstance(args[-2].comma, cst.Comma) \
            else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        args[-1] = last.with_changes(comma=before)
        args.append(new.with_changes(comma=last.comma))
    else:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(new)
    return call.with_changes(args=args)


def _flatten_argument(cst, call, edit):
    if not call.args or call.args[0].keyword is not None or call.args[0].star:
        raise FixError("the layer is called without a plain first argument")
    first = call.args[0]
    flattened = cst.parse_expression("torch.flatten(__x__, 1)")
    flattened = flattened.with_changes(args=[flattened.args[0].with_changes(value=first.value),
                                             flattened.args[1]])
    return call.with_changes(args=[first.with_changes(value=flattened), *call.args[1:]])


def _flatten_view(cst, call, edit):
    if not isinstance(call.func, cst.Attribute):
        raise FixError("not a method call: x.view(...) or x.reshape(...) expected")
    return cst.Call(func=call.func.with_changes(attr=cst.Name("flatten")),
                    args=[cst.Arg(cst.Integer("1"))])


def _replace_constructor(cst, call, edit):
    """``nn.AvgPool2d(7)`` → ``nn.AdaptiveAvgPool2d(1)``: the same qualifier."""
    func = call.func
    name = cst.Name(edit.class_name)
    func = func.with_changes(attr=name) if isinstance(func, cst.Attribute) else name
    arguments = cst.parse_expression(f"f({edit.arguments})").args
    return call.with_changes(func=func, args=arguments)


def _unwrap_call(cst, call, edit):
    if not call.args or call.args[0].keyword not in (None,) and \
            call.args[0].keyword.value != "input":
        raise FixError("no input argument to keep")
    return call.args[0].value


_ACTIONS = {"set_argument": _set_argument, "flatten_argument": _flatten_argument,
            "flatten_view": _flatten_view, "unwrap_call": _unwrap_call,
            "replace_constructor": _replace_constructor}


def _move_to_init(cst, wrapper, call, edit) -> str:
    from libcst.metadata import ParentNodeProvider

    parents = wrapper.resolve(ParentNodeProvider)
    owner, node = None, call
    while node in parents:
        node = parents[node]
        if isinstance(node, cst.ClassDef):
            owner = node
            break
    init = next((item for item in (owner.body.body if owner else [])
                 if isinstance(item, cst.FunctionDef) and item.name.value == "__init__"), None)
    if init is None:
        raise FixError("the layer's class has no __init__ to move it into")
    taken = {target.attr.value for target in _self_assignments(cst, owner)}
    name, number = edit.attribute, 1
    while name in taken:
        name, number = f"{edit.attribute}_{number}", number + 1
    code = wrapper.module.code_for_node(call)
    assignment = cst.parse_statement(f"self.{name} = {code}\n")
    new_init = init.with_changes(body=init.body.with_changes(body=[*init.body.body, assignment]))
    module = wrapper.module.deep_replace(call, cst.parse_expression(f"self.{name}"))
    return module.deep_replace(_same_node(module, init), new_init).code


def _swap_arguments(cst, wrapper, positions, call, edit) -> str:
    """Two constructor calls that are neighbouring arguments of one call
    (``nn.Sequential(conv, nn.ReLU(), nn.BatchNorm2d(8))``) change places;
    their commas, comments and line breaks stay where they were."""
    from libcst.metadata import ParentNodeProvider

    other = edit.other
    partner = [node for node, where in positions.items() if isinstance(node, cst.Call)
               and where.start.line == other["line"] and where.start.column == other["col"] - 1
               and _name(node.func) == other["callee"]]
    if len(partner) != 1:
        raise FixError(f"no single call of {other['callee']} at line {other['line']}")
    parents = wrapper.resolve(ParentNodeProvider)
    first_arg, second_arg = parents.get(call), parents.get(partner[0])
    holder = parents.get(first_arg)
    if not isinstance(first_arg, cst.Arg) or holder is not parents.get(second_arg) \
            or not isinstance(holder, cst.Call):
        raise FixError("the two layers are not arguments of one call (an nn.Sequential)")
    args = list(holder.args)
    i, j = args.index(first_arg), args.index(second_arg)
    if abs(i - j) != 1:
        raise FixError("the two layers are not next to each other")
    args[i], args[j] = (args[i].with_changes(value=args[j].value),
                        args[j].with_changes(value=args[i].value))
    return wrapper.module.deep_replace(holder, holder.with_changes(args=args)).code


def _same_node(module, original):
    """``original``'s counterpart in a module rebuilt by ``deep_replace``
    (nodes outside the replaced path are shared, the path's are new)."""
    import libcst as cst

    found = []

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node):
            if node.name.value == original.name.value and node.params.deep_equals(
                    original.params) and node.body.body[:1] and original.body.body[:1] \
                    and node.body.body[0].deep_equals(original.body.body[0]):
                found.append(node)

    module.visit(Finder())
    if len(found) != 1:
        raise FixError("cannot tell which __init__ to move the layer into")
    return found[0]


def _self_assignments(cst, owner):
    found = []

    class Finder(cst.CSTVisitor):
        def visit_AssignTarget(self, node):
            target = node.target
            if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) \
                    and target.value.value == "self":
                found.append(target)

    owner.visit(Finder())
    return found


def _imports_torch(module) -> bool:
    import libcst as cst

    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import) and any(
                    _dotted(alias.name) == "torch" and alias.asname is None
                    for alias in small.names):
                return True
    return False


def _dotted(node) -> str:
    import libcst as cst

    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return node.value if isinstance(node, cst.Name) else ""
