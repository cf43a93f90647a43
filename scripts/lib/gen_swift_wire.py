#!/usr/bin/python3
"""protoc-gen-swiftwire: a protoc plugin that writes peerd's Swift code from the contract.

scripts/gen-proto runs it (protoc --plugin=protoc-gen-swiftwire=...) with an interpreter that has
python3-protobuf (Debian's, for google.protobuf.compiler.plugin_pb2).

With `out=wire` it writes PeerWire's generated code. For every message of each named proto
package: a Swift struct (Hashable, Sendable) with a memberwise init, and for top-level messages a
`WireMessage` conformance that packs and unpacks through the protoc-c functions (the pointer work
goes through PeerWire's PackArena and unpackProtobufC helpers, so the generated code adds no
unsafe code of its own). For every service block (`*_service.proto`): an enum per service with
one `MethodDescriptor` per rpc (service, method, message types, streaming kind) and `methods`, the
list the router-vs-contract test reads. Proto comments become `///` doc comments.

With `out=client` it writes the typed client stubs of clients/swift/PeerClient: one method per
rpc on the service's client (`PeerManagerClient`, `HostClient`, `HealthClient`).

Mapping: scalars to Swift integers/Bool/Double/Float; string to String; bytes to [UInt8];
enums to open RawRepresentable structs (unknown values survive); singular messages to optionals;
`oneof _x { T x = N; }` (proto3 optional, as protoc-c 1.4.1 needs it) to `T?`; other oneofs to a
Swift enum; repeated fields to arrays. Maps are not supported (declare repeated entry messages).
"""
import os
import sys

from google.protobuf.compiler import plugin_pb2

# --- The request's descriptors, as the plain dicts the generator walks. ---

def message_dict(message):
    return dict(
        name=message.name,
        fields=[dict(name=f.name, number=f.number, label=f.label, type=f.type,
                     type_name=f.type_name or None,
                     oneof_index=f.oneof_index if f.HasField('oneof_index') else None)
                for f in message.field],
        enums=[enum_dict(e) for e in message.enum_type],
        oneofs=[dict(name=o.name) for o in message.oneof_decl],
        nested=[message_dict(m) for m in message.nested_type])


def enum_dict(enum):
    return dict(name=enum.name, values=[dict(name=v.name, number=v.number) for v in enum.value])


def comments(proto_file):
    """Leading comments by source path (a tuple, e.g. (6, 0, 2, 3) for service 0's method 3)."""
    return {tuple(location.path): location.leading_comments
            for location in proto_file.source_code_info.location if location.leading_comments}


def file_dict(proto_file):
    notes = comments(proto_file)
    services = []
    for s, service in enumerate(proto_file.service):
        services.append(dict(
            name=service.name, comment=notes.get((6, s), ''),
            methods=[dict(name=m.name, input_type=m.input_type, output_type=m.output_type,
                          client_streaming=m.client_streaming, server_streaming=m.server_streaming,
                          comment=notes.get((6, s, 2, i), ''))
                     for i, m in enumerate(service.method)]))
    return dict(name=proto_file.name, package=proto_file.package,
                messages=[message_dict(m) for m in proto_file.message_type],
                enums=[enum_dict(e) for e in proto_file.enum_type], services=services)


# FieldDescriptorProto.Type
DOUBLE, FLOAT, INT64, UINT64, INT32, FIXED64, FIXED32, BOOL, STRING, GROUP, MESSAGE_T, BYTES, \
    UINT32, ENUM_T, SFIXED32, SFIXED64, SINT32, SINT64 = range(1, 19)
SCALARS = {DOUBLE: 'Double', FLOAT: 'Float', INT64: 'Int64', UINT64: 'UInt64', INT32: 'Int32',
           FIXED64: 'UInt64', FIXED32: 'UInt32', UINT32: 'UInt32', SFIXED32: 'Int32',
           SFIXED64: 'Int64', SINT32: 'Int32', SINT64: 'Int64'}
REPEATED = 3

SWIFT_KEYWORDS = {'protocol', 'in', 'default', 'case', 'class', 'struct', 'enum', 'func', 'import',
                  'internal', 'is', 'let', 'var', 'operator', 'private', 'public', 'return', 'self',
                  'static', 'subscript', 'switch', 'where', 'while', 'for', 'if', 'else', 'repeat',
                  'Type', 'extension', 'init', 'deinit', 'true', 'false', 'nil', 'as', 'break',
                  'continue', 'do', 'fallthrough', 'guard', 'throw', 'throws', 'try', 'catch'}

# --- protoc-c's names ---

def camel_to_lower(name):
    """protoc-c's CamelToLower: GetInfoResponse -> get_info_response."""
    out, was_upper = [], True
    for ch in name:
        if ch.isupper():
            if not was_upper:
                out.append('_')
            out.append(ch.lower())
            was_upper = True
        else:
            out.append(ch)
            was_upper = False
    return ''.join(out)


def c_struct(package, path):
    """A__B__Foo__Nested for package a.b, message path [Foo, Nested]."""
    parts = [p[:1].upper() + p[1:] for p in package.split('.')] + path
    return '__'.join(parts)


def c_prefix(package, path):
    """a__b__foo__nested: the prefix of the generated functions."""
    return '__'.join(package.split('.') + [camel_to_lower(p) for p in path])


def lower_camel(name):
    """peer_id -> peerID, shard_ids -> shardIDs (Swift's API guidelines spell ID in capitals)."""
    parts = [p for p in name.split('_') if p]
    words = [{'id': 'ID', 'ids': 'IDs'}.get(p, p[:1].upper() + p[1:]) for p in parts[1:]]
    text = parts[0] + ''.join(words)
    text = text[:1].lower() + text[1:]
    return f'`{text}`' if text in SWIFT_KEYWORDS else text


def upper_camel(name):
    return ''.join(p[:1].upper() + p[1:] for p in name.lstrip('_').split('_'))


def enum_case_name(enum_name, value_name):
    """CONNECTEDNESS_CAN_CONNECT in enum Connectedness -> canConnect."""
    prefix = camel_to_lower(enum_name).upper() + '_'
    if value_name.startswith(prefix) and len(value_name) > len(prefix):
        value_name = value_name[len(prefix):]
    name = lower_camel(value_name.lower())
    if name[:1].isdigit():
        name = '_' + name
    return name

# --- Swift generation ---

class Generator:
    def __init__(self, files, namespaces):
        self.namespaces = namespaces
        self.types = {}  # '.pkg.Msg' -> info
        for f in files:
            package = f['package'] or ''
            for m in f['messages']:
                self.register_message(package, [], m)
            for e in f['enums']:
                self.register_enum(package, [], e)

    def swift_name(self, package, path):
        return f"{self.namespaces.get(package, '?')}.{'.'.join(path)}"

    def register_message(self, package, parents, message):
        path = parents + [message['name']]
        full = '.' + '.'.join(([package] if package else []) + path)
        self.types[full] = dict(kind='message', package=package, path=path, message=message,
                                swift=self.swift_name(package, path),
                                c=c_struct(package, path), prefix=c_prefix(package, path))
        for nested in message['nested']:
            self.register_message(package, path, nested)
        for e in message['enums']:
            self.register_enum(package, path, e)

    def register_enum(self, package, parents, enum):
        path = parents + [enum['name']]
        full = '.' + '.'.join(([package] if package else []) + path)
        self.types[full] = dict(kind='enum', package=package, path=path, enum=enum,
                                swift=self.swift_name(package, path), c=c_struct(package, path))

    # Field helpers: (swift type, read expression from c, write statements to c)
    def swift_type(self, field):
        t = field['type']
        if t in SCALARS:
            return SCALARS[t]
        if t == BOOL:
            return 'Bool'
        if t == STRING:
            return 'String'
        if t == BYTES:
            return '[UInt8]'
        if t in (MESSAGE_T, ENUM_T):
            return self.types[field['type_name']]['swift']
        raise ValueError(f"unsupported field type {t} ({field['name']})")

    def default(self, field):
        t = field['type']
        if t in SCALARS:
            return '0'
        return {BOOL: 'false', STRING: '""', BYTES: '[]'}.get(t, '.init(rawValue: 0)')

    def read_one(self, field, expr):
        """Swift expression converting one C value `expr` to Swift."""
        t = field['type']
        if t in SCALARS:
            return expr
        if t == BOOL:
            return f'{expr} != 0'
        if t == STRING:
            return f'String(protobufC: {expr})'
        if t == BYTES:
            return f'[UInt8](protobufC: {expr})'
        if t == ENUM_T:
            return f'{self.swift_type(field)}(rawValue: Int32(truncatingIfNeeded: {expr}.rawValue))'
        if t == MESSAGE_T:
            # Repeated and oneof messages are read where the pointer may be NULL (generate_bridge).
            raise ValueError(f'message field {field["name"]} read without its NULL check')
        raise ValueError(t)

    def write_one(self, field, expr):
        """Swift expression converting Swift value `expr` to its C form (may use `arena`)."""
        t = field['type']
        if t in SCALARS:
            return expr
        if t == BOOL:
            return f'{expr} ? 1 : 0'
        if t == STRING:
            return f'arena.cString({expr})'
        if t == BYTES:
            return f'arena.binary({expr})'
        if t == ENUM_T:
            return f'.init(rawValue: .init(truncatingIfNeeded: {expr}.rawValue))'
        if t == MESSAGE_T:
            return f'arena.pointer(to: {expr}.c(in: arena))'
        raise ValueError(t)

    def c_element_type(self, field):
        t = field['type']
        if t == MESSAGE_T:
            return f"UnsafeMutablePointer<{self.types[field['type_name']]['c']}>?"
        if t == STRING:
            return 'UnsafeMutablePointer<CChar>?'
        if t == BYTES:
            return 'ProtobufCBinaryData'
        if t == ENUM_T:
            return self.types[field['type_name']]['c']
        if t == BOOL:
            return 'protobuf_c_boolean'
        return SCALARS[t]

    def generate_enum(self, info, indent):
        enum = info['enum']
        name = info['path'][-1]
        pad = ' ' * indent
        lines = [f'{pad}/// `{info["package"]}.{".".join(info["path"])}`: an open enum; unknown values survive.',
                 f'{pad}public struct {name}: RawRepresentable, Hashable, Sendable {{',
                 f'{pad}    public var rawValue: Int32',
                 f'{pad}    public init(rawValue: Int32) {{ self.rawValue = rawValue }}', '']
        for value in enum['values']:
            case = enum_case_name(name, value['name'])
            number = value['number']
            if number >= 1 << 31:
                number -= 1 << 64
            lines.append(f'{pad}    public static let {case} = {name}(rawValue: {number})')
        lines.append(f'{pad}}}')
        return lines

    def message_fields(self, message):
        """Groups fields: plain, optional (proto3-optional oneofs) and real oneofs."""
        oneofs = [dict(name=o['name'], fields=[]) for o in message['oneofs']]
        plain = []
        for field in message['fields']:
            if field['oneof_index'] is not None:
                oneofs[field['oneof_index']]['fields'].append(field)
            else:
                plain.append(field)
        optionals, real = [], []
        for oneof in oneofs:
            fs = oneof['fields']
            if oneof['name'].startswith('_') and len(fs) == 1 and fs[0]['name'] == oneof['name'][1:]:
                optionals.append((oneof, fs[0]))
            else:
                real.append(oneof)
        return plain, optionals, real

    def generate_message(self, info, indent):
        message = info['message']
        name = info['path'][-1]
        pad = ' ' * indent
        plain, optionals, real = self.message_fields(message)
        props = []  # (field number, swift name, type, default), sorted by field number below
        for field in plain:
            swift = self.swift_type(field)
            if field['label'] == REPEATED:
                props.append((field['number'], lower_camel(field['name']), f'[{swift}]', '[]'))
            elif field['type'] == MESSAGE_T:
                props.append((field['number'], lower_camel(field['name']), f'{swift}?', 'nil'))
            else:
                props.append((field['number'], lower_camel(field['name']), swift, self.default(field)))
        for _, field in optionals:
            props.append((field['number'], lower_camel(field['name']), f'{self.swift_type(field)}?', 'nil'))
        for oneof in real:
            first = min(f['number'] for f in oneof['fields'])
            props.append((first, lower_camel(oneof['name']), f'OneOf_{upper_camel(oneof["name"])}?', 'nil'))
        props = [prop[1:] for prop in sorted(props)]
        lines = [f'{pad}/// `{info["package"]}.{".".join(info["path"])}`',
                 f'{pad}public struct {name}: Hashable, Sendable {{']
        for prop, swift, default in props:
            lines.append(f'{pad}    public var {prop}: {swift} = {default}')
        if props:
            lines.append('')
        params = ', '.join(f'{p}: {t} = {d}' for p, t, d in props)
        lines.append(f'{pad}    public init({params}) {{')
        for prop, _, _ in props:
            bare = prop.strip('`')
            lines.append(f'{pad}        self.{bare} = {prop}')
        lines.append(f'{pad}    }}')
        for oneof in real:
            lines.append('')
            lines.append(f'{pad}    public enum OneOf_{upper_camel(oneof["name"])}: Hashable, Sendable {{')
            for field in oneof['fields']:
                lines.append(f'{pad}        case {lower_camel(field["name"])}({self.swift_type(field)})')
            lines.append(f'{pad}    }}')
        for nested in message['enums']:
            lines.append('')
            lines += self.generate_enum(self.types[self.full(info, nested['name'])], indent + 4)
        for nested in message['nested']:
            lines.append('')
            lines += self.generate_message(self.types[self.full(info, nested['name'])], indent + 4)
        lines.append(f'{pad}}}')
        return lines

    def full(self, info, child):
        return '.' + '.'.join(([info['package']] if info['package'] else []) + info['path'] + [child])

    def generate_bridge(self, info):
        message = info['message']
        c, prefix, swift = info['c'], info['prefix'], info['swift']
        plain, optionals, real = self.message_fields(message)
        read, write = [], []
        for field in plain:
            prop, cname = lower_camel(field['name']), field['name']
            if field['label'] == REPEATED:
                # No force unwrap: protobuf-c fills the array and its message pointers, but a
                # NULL would be skipped rather than trap.
                if field['type'] == MESSAGE_T:
                    element = f'items[$0].map {{ {self.swift_type(field)}(c: $0.pointee) }}'
                    each = 'compactMap'
                else:
                    element = self.read_one(field, 'items[$0]')
                    each = 'map'
                read.append(f'self.{prop.strip("`")} = c.{cname}.map {{ items in '
                            f'(0..<c.n_{cname}).{each} {{ {element} }} }} ?? []')
                write.append(f'c.n_{cname} = {prop}.count')
                write.append(f'c.{cname} = arena.array(of: {self.c_element_type(field)}.self, '
                             f'{prop}.map {{ {self.write_one(field, "$0")} }})')
            elif field['type'] == MESSAGE_T:
                read.append(f'self.{prop.strip("`")} = c.{cname}.map {{ {self.swift_type(field)}(c: $0.pointee) }}')
                write.append(f'c.{cname} = {prop}.map {{ {self.write_one(field, "$0")} }}')
            else:
                read.append(f'self.{prop.strip("`")} = {self.read_one(field, "c." + cname)}')
                write.append(f'c.{cname} = {self.write_one(field, prop)}')
        for oneof, field in optionals:
            prop, cname = lower_camel(field['name']), field['name']
            case = f"c.{oneof['name']}_case"
            read.append(f'self.{prop.strip("`")} = {case}.rawValue == {field["number"]} ? '
                        f'{self.read_one(field, "c." + cname)} : nil')
            write.append(f'if let value = {prop} {{')
            write.append(f'    {case} = .init(rawValue: {field["number"]})')
            write.append(f'    c.{cname} = {self.write_one(field, "value")}')
            write.append('}')
        for oneof in real:
            prop = lower_camel(oneof['name'])
            case = f"c.{oneof['name']}_case"
            read.append(f'switch {case}.rawValue {{')
            for field in oneof['fields']:
                case_name = lower_camel(field["name"])
                if field['type'] == MESSAGE_T:
                    read.append(f'case {field["number"]}: self.{prop.strip("`")} = '
                                f'c.{field["name"]}.map {{ .{case_name}({self.swift_type(field)}(c: $0.pointee)) }}')
                else:
                    read.append(f'case {field["number"]}: self.{prop.strip("`")} = '
                                f'.{case_name}({self.read_one(field, "c." + field["name"])})')
            read.append(f'default: self.{prop.strip("`")} = nil')
            read.append('}')
            write.append(f'switch {prop} {{')
            for field in oneof['fields']:
                write.append(f'case .{lower_camel(field["name"])}(let value)?:')
                write.append(f'    {case} = .init(rawValue: {field["number"]})')
                write.append(f'    c.{field["name"]} = {self.write_one(field, "value")}')
            write.append('case nil: break')
            write.append('}')
        lines = [f'extension {swift} {{',
                 f'    init(c: {c}) {{',
                 '        self.init()']
        lines += ['        ' + line for line in read]
        lines += ['    }', '',
                  f'    func c(in arena: PackArena) -> {c} {{',
                  f'        var c = {c}()',
                  f'        {prefix}__init(&c)']
        lines += ['        ' + line for line in write]
        lines += ['        return c', '    }', '}']
        if len(info['path']) == 1:
            full = f"{info['package']}.{info['path'][0]}"
            lines += ['', f'extension {swift}: WireMessage {{',
                      f'    public static let protobufName = "{full}"', '',
                      '    public init(wire buffer: ByteBuffer) throws {',
                      '        self = try buffer.unpackProtobufC(',
                      f'            Self.protobufName, descriptor: {prefix}__descriptor, unpack: {prefix}__unpack,',
                      f'            free: {prefix}__free_unpacked',
                      '        ) { Self(c: $0) }',
                      '    }', '',
                      '    public func encode(into buffer: inout ByteBuffer) {',
                      '        PackArena.with { arena in',
                      '            var c = self.c(in: arena)',
                      f'            buffer.writeProtobufC(size: {prefix}__get_packed_size(&c)) {{ {prefix}__pack(&c, $0) }}',
                      '        }',
                      '    }',
                      '}']
        for nested in message['nested']:
            lines += [''] + self.generate_bridge(self.types[self.full(info, nested['name'])])
        return lines

    def generate_file(self, f):
        package = f['package']
        namespace = self.namespaces[package]
        header = ['// Generated by scripts/gen-proto from proto/' + f['name'] + '. Do not edit.', '',
                  'import CProtobufC', 'import NIOCore', 'import PeerdProtoC', '']
        body = [f'extension {namespace} {{']
        for m in f['messages']:
            body += [''] + ['    ' + line if line else line for line in
                            self.generate_message(self.types[f'.{package}.{m["name"]}'], 0)]
        for e in f['enums']:
            body += [''] + ['    ' + line if line else line for line in
                            self.generate_enum(self.types[f'.{package}.{e["name"]}'], 0)]
        body.append('}')
        bridges = []
        for m in f['messages']:
            bridges += [''] + self.generate_bridge(self.types[f'.{package}.{m["name"]}'])
        return '\n'.join(header + body + bridges) + '\n'


# --- Services: method descriptors (PeerWire) and client stubs (PeerClient) ---

def client_type(service):
    """The Swift client of a service in clients/swift/PeerClient: PeerManager -> PeerManagerClient."""
    return f"{service['name']}Client"


def doc_lines(comment, pad):
    """A proto comment as `///` lines: `// text` keeps its text, blank comment lines stay."""
    lines = comment.split('\n')
    while lines and not lines[-1].strip():
        lines.pop()
    out = []
    for line in lines:
        text = line[1:] if line.startswith(' ') else line
        out.append(f'{pad}///' + (f' {text.rstrip()}' if text.strip() else ''))
    return out


def method_name(rpc):
    """GetInfo -> getInfo: the descriptor's and the client method's name."""
    name = rpc[:1].lower() + rpc[1:]
    return f'`{name}`' if name in SWIFT_KEYWORDS else name


def method_kind(method):
    return {(False, False): 'unary', (False, True): 'serverStreaming', (True, False): 'clientStreaming',
            (True, True): 'bidirectionalStreaming'}[(method['client_streaming'], method['server_streaming'])]


class ServiceGenerator:
    def __init__(self, generator):
        self.generator = generator

    def swift_type(self, type_name):
        return self.generator.types[type_name]['swift']

    def descriptors(self, f):
        """`extension Namespace { public enum Service { serviceName, one descriptor per rpc, methods } }`."""
        package = f['package']
        namespace = self.generator.namespaces[package]
        lines = ['// Generated by scripts/gen-proto from proto/' + f['name'] + '. Do not edit.', '',
                 f'extension {namespace} {{']
        for service in f['services']:
            full = f"{package}.{service['name']}"
            lines.append('')
            lines += doc_lines(service['comment'], '    ') or [f'    /// `{full}`']
            lines += [f"    public enum {service['name']} {{",
                      f'        public static let serviceName = "{full}"']
            for method in service['methods']:
                request = self.swift_type(method['input_type'])
                response = self.swift_type(method['output_type'])
                lines.append('')
                lines += doc_lines(method['comment'], '        ') or [f"        /// `/{full}/{method['name']}`"]
                lines += [f"        public static let {method_name(method['name'])} = "
                          f'MethodDescriptor<{request}, {response}>(',
                          f'            service: serviceName, method: "{method["name"]}", kind: .{method_kind(method)})']
            erased = ', '.join(f"{method_name(m['name'])}.erased" for m in service['methods'])
            lines += ['', '        /// Every method, in the order the contract declares them.',
                      f'        public static let methods: [AnyMethodDescriptor] = [{erased}]',
                      '    }']
        lines.append('}')
        return '\n'.join(lines) + '\n'

    def client_stubs(self, f, service):
        """`extension <Service>Client`: one method per rpc, calling through its descriptor."""
        namespace = self.generator.namespaces[f['package']]
        client = client_type(service)
        lines = ['// Generated by scripts/gen-proto from proto/' + f['name'] + '. Do not edit.', '',
                 'import PeerWire', '', f'extension {client} {{']
        for index, method in enumerate(service['methods']):
            request = self.swift_type(method['input_type'])
            response = self.swift_type(method['output_type'])
            descriptor = f"{namespace}.{service['name']}.{method_name(method['name'])}"
            kind = method_kind(method)
            if index:
                lines.append('')
            lines += doc_lines(method['comment'], '    ')
            name = method_name(method['name'])
            if kind == 'unary':
                lines += [f'    public func {name}(',
                          f'        _ request: {request} = .init(), options: CallOptions = .defaults',
                          f'    ) async throws -> {response} {{',
                          f'        try await connection.unary({descriptor}, request, options: options)']
            elif kind == 'serverStreaming':
                lines += [f'    public func {name}(',
                          f'        _ request: {request} = .init(), options: CallOptions = .defaults',
                          f'    ) async throws -> ResponseStream<{response}> {{',
                          f'        try await connection.serverStreaming({descriptor}, request, options: options)']
            elif kind == 'bidirectionalStreaming':
                lines += [f'    public func {name}(options: CallOptions = .defaults) async throws '
                          f'-> BidirectionalStream<{request}, {response}> {{',
                          f'        try await connection.bidirectionalStreaming({descriptor}, options: options)']
            else:
                raise ValueError(f"{service['name']}/{method['name']}: client streaming has no client call yet")
            lines.append('    }')
        lines.append('}')
        return '\n'.join(lines) + '\n'


def swift_file_name(proto_name):
    """waku/peermanager/v1/peermanager_service.proto -> PeermanagerService"""
    base = os.path.basename(proto_name).replace('.proto', '')
    return ''.join(p[:1].upper() + p[1:] for p in base.replace('-', '_').split('_'))


def generate(request):
    """The files for one CodeGeneratorRequest. Its parameter: `out=wire` (PeerWire/Generated:
    messages, codecs, method descriptors, namespaces) or `out=client` (the PeerClient stubs),
    then `,package=SwiftNamespace` for each package to generate."""
    options = dict(item.split('=', 1) for item in request.parameter.split(',') if item)
    out = options.pop('out', 'wire')
    namespaces = options
    files = [file_dict(p) for p in request.proto_file]
    generator = Generator(files, namespaces)
    services = ServiceGenerator(generator)
    wanted = set(request.file_to_generate)
    outputs = []
    for f in files:
        if f['name'] not in wanted or f['package'] not in namespaces:
            continue
        if out == 'client':
            for service in f['services']:
                outputs.append((f"{client_type(service)}+Methods.swift", services.client_stubs(f, service)))
            continue
        if f['messages'] or f['enums']:
            outputs.append((f"{swift_file_name(f['name'])}.pb.swift", generator.generate_file(f)))
        if f['services']:
            # A file of messages and services keeps its messages' name for them.
            suffix = 'Services' if f['messages'] or f['enums'] else ''
            outputs.append((f"{swift_file_name(f['name'])}{suffix}.pb.swift", services.descriptors(f)))
    if out == 'wire':
        text = '// Generated by scripts/gen-proto. Do not edit.\n\n'
        for package, namespace in sorted(namespaces.items()):
            text += f'/// Messages of the protobuf package `{package}`.\npublic enum {namespace} {{}}\n'
        outputs.append(('Namespaces.pb.swift', text))
    return outputs


def main():
    request = plugin_pb2.CodeGeneratorRequest.FromString(sys.stdin.buffer.read())
    response = plugin_pb2.CodeGeneratorResponse()
    response.supported_features = plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    try:
        for name, content in generate(request):
            item = response.file.add()
            item.name = name
            item.content = content
    except (KeyError, ValueError) as error:
        response.error = f'gen_swift_wire: {error!r}'
    sys.stdout.buffer.write(response.SerializeToString())


if __name__ == '__main__':
    main()
