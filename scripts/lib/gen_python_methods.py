#!/usr/bin/env python3
"""Writes clients/python/src/peerd/_methods.py: one typed method per rpc of the service blocks.

Usage: gen_python_methods.py DESCRIPTORS.pb OUT.py

DESCRIPTORS.pb is a FileDescriptorSet with source info (protoc --include_source_info) of the
messages and the *_service.proto files. For each service it writes a sync class (methods call a
SyncChannel) and an async class (an AsyncChannel), and a MethodInfo constant per rpc with the
request and response classes, so that the client's calls are typed end to end. A request's fields
become keyword arguments (None leaves a field unset); the proto comments become docstrings.
Runs in the client's venv (it needs the protobuf runtime to read the descriptors).
"""

import keyword
import re
import sys

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.descriptor_pool import DescriptorPool

SCALARS = {
    FieldDescriptor.TYPE_STRING: "str",
    FieldDescriptor.TYPE_BYTES: "bytes",
    FieldDescriptor.TYPE_BOOL: "bool",
    FieldDescriptor.TYPE_DOUBLE: "float",
    FieldDescriptor.TYPE_FLOAT: "float",
}
RESERVED = {"self", "request", "timeout"}


def snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def module_alias(file_name):
    return file_name.rsplit("/", 1)[-1].removesuffix(".proto") + "_pb2"


def module_path(file_name):
    return "peerd._gen." + file_name.removesuffix(".proto").replace("/", ".") + "_pb2"


def type_ref(descriptor):
    """The Python expression naming a message or enum class, e.g. `health_pb2.HealthCheckResponse`."""
    package = descriptor.file.package
    relative = descriptor.full_name[len(package) + 1 :] if package else descriptor.full_name
    return f"{module_alias(descriptor.file.name)}.{relative}"


def field_annotation(field):
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        element = type_ref(field.message_type)
    elif field.type == FieldDescriptor.TYPE_ENUM:
        element = type_ref(field.enum_type) + ".ValueType"
    else:
        element = SCALARS.get(field.type, "int")
    if field.label == FieldDescriptor.LABEL_REPEATED:
        return f"Iterable[{element}] | None"
    return f"{element} | None"


def comments(file_proto):
    found = {}
    for location in file_proto.source_code_info.location:
        text = location.leading_comments.strip()
        if text:
            found[tuple(location.path)] = " ".join(line.strip() for line in text.splitlines())
    return found


def docstring(text, indent):
    if not text:
        return []
    words, lines, line = text.replace('"""', "'''").split(), [], ""
    width = 99 - len(indent) - 3
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    if len(lines) == 1 and len(lines[0]) + 6 <= width:
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}'] + [f"{indent}{item}" for item in lines[1:]] + [f'{indent}"""']


# (service full name, method name) -> (client streaming, server streaming), from the
# MethodDescriptorProtos: protobuf 4.21's runtime descriptors do not carry the two flags.
STREAMING = {}


def kind(method):
    client_streaming, server_streaming = STREAMING[(method.containing_service.full_name, method.name)]
    if client_streaming and server_streaming:
        return "BIDI_STREAMING"
    if server_streaming:
        return "SERVER_STREAMING"
    if client_streaming:
        raise SystemExit(f"gen_python_methods: client streaming ({method.full_name}) is not supported")
    return "UNARY"


def method_lines(service, method, comment, asynchronous):
    info = f"{snake(service.name).upper()}_{snake(method.name).upper()}"
    request, response = type_ref(method.input_type), type_ref(method.output_type)
    name = snake(method.name)
    if keyword.iskeyword(name):
        raise SystemExit(f"gen_python_methods: {method.full_name} would be the keyword {name}")
    rpc_kind = kind(method)
    lines = []
    if rpc_kind == "BIDI_STREAMING":
        stream = f"{'Async' if asynchronous else ''}BidiStream[{request}, {response}]"
        lines.append(f"    def {name}(")
        lines.append("        self, *, timeout: Timeout = None")
        lines.append(f"    ) -> {stream}:")
        lines += docstring(comment, "        ")
        lines.append(f"        return self._channel.bidi_streaming({info}, timeout)")
        return lines
    params = ["self", f"request: {request} | None = None", "/", "*"]
    arguments = []
    for field in method.input_type.fields:
        if field.name in RESERVED or keyword.iskeyword(field.name):
            raise SystemExit(f"gen_python_methods: field {field.full_name} clashes with a parameter")
        params.append(f"{field.name}: {field_annotation(field)} = None")
        arguments.append(f"{field.name}={field.name}")
    if rpc_kind == "UNARY":
        params.append("timeout: Timeout = DEFAULT")
        result = response
        call = f"self._channel.unary({info}, built, timeout)"
        prefix, call_prefix = ("async def", "await ") if asynchronous else ("def", "")
    else:
        params.append("timeout: Timeout = None")
        result = f"{'Async' if asynchronous else ''}ResponseStream[{response}]"
        call = f"self._channel.server_streaming({info}, built, timeout)"
        prefix, call_prefix = "def", ""
    lines.append(f"    {prefix} {name}(")
    lines += [f"        {param}," for param in params]
    lines.append(f"    ) -> {result}:")
    lines += docstring(comment, "        ")
    lines.append("        built = build_request(")
    lines += [f"            {item}," for item in [request, "request", *arguments]]
    lines.append("        )")
    lines.append(f"        return {call_prefix}{call}")
    return lines


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    descriptors = descriptor_pb2.FileDescriptorSet.FromString(open(sys.argv[1], "rb").read())
    pool = DescriptorPool()
    for file_proto in descriptors.file:
        pool.Add(file_proto)
    modules, services = set(), []
    for file_proto in descriptors.file:
        if not file_proto.service:
            continue
        found = comments(file_proto)
        for service_index, service_proto in enumerate(file_proto.service):
            service = pool.FindServiceByName(f"{file_proto.package}.{service_proto.name}")
            for method_proto in service_proto.method:
                STREAMING[(service.full_name, method_proto.name)] = (
                    method_proto.client_streaming,
                    method_proto.server_streaming,
                )
            method_comments = {
                method.name: found.get((6, service_index, 2, index), "")
                for index, method in enumerate(service_proto.method)
            }
            services.append((file_proto.name, service, found.get((6, service_index), ""), method_comments))
            for method in service.methods:
                modules.add(method.input_type.file.name)
                modules.add(method.output_type.file.name)

    out = [
        "# Generated by scripts/lib/gen_python_methods.py from the service blocks in proto/. Do not edit.",
        "# " + ", ".join(f"proto/{name}" for name in sorted({entry[0] for entry in services})),
        '"""One typed method per rpc of the contract\'s service blocks, for Client and AsyncClient."""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Iterable",
        "from typing import Any",
        "",
        "from peerd._calls import (",
        "    DEFAULT,",
        "    AsyncBidiStream,",
        "    AsyncChannel,",
        "    AsyncResponseStream,",
        "    BidiStream,",
        "    MethodInfo,",
        "    ResponseStream,",
        "    RPCKind,",
        "    SyncChannel,",
        "    Timeout,",
        "    build_request,",
        ")",
    ]
    for name in sorted(modules):
        path = module_path(name)
        package, module = path.rsplit(".", 1)
        out.append(f"from {package} import {module}")
    infos = []
    for _, service, _, _ in services:
        out.append("")
        for method in service.methods:
            info = f"{snake(service.name).upper()}_{snake(method.name).upper()}"
            infos.append(info)
            request, response = type_ref(method.input_type), type_ref(method.output_type)
            out.append(f"{info} = MethodInfo(")
            items = [f'"{service.full_name}"', f'"{method.name}"', f"RPCKind.{kind(method)}", request, response]
            out += [f"    {item}," for item in items]
            out.append(")")
    out.append("")
    out.append("# Every rpc of the contract, in its order.")
    out.append("METHODS: tuple[MethodInfo[Any, Any], ...] = (")
    out += [f"    {info}," for info in infos]
    out.append(")")
    for _, service, comment, method_comments in services:
        for asynchronous in (False, True):
            prefix = "Async" if asynchronous else ""
            out += ["", ""]
            out.append(f"class {prefix}{service.name}:")
            out += docstring(comment or f"The {service.full_name} service.", "    ")
            out.append("")
            out.append(f'    SERVICE = "{service.full_name}"')
            out.append("")
            out.append(f"    def __init__(self, channel: {prefix or 'Sync'}Channel) -> None:")
            out.append("        self._channel = channel")
            for method in service.methods:
                out.append("")
                out += method_lines(service, method, method_comments[method.name], asynchronous)
    with open(sys.argv[2], "w") as handle:
        handle.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
