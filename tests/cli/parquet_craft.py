"""parquet_craft.py -- small hand-made Parquet files for tests of what no
real file in ../shared/data/parquet shows: a GZIP page of two members
holding strings, and hostile claims (a 100-byte page of 2^31 nulls, a
dictionary that expands past the memory ceiling).

The Thrift compact protocol is written by hand here (parquet.thrift's
field ids): one OPTIONAL (or REQUIRED) BYTE_ARRAY column, one row group,
the pages given.
"""
import struct


def _uvarint(v):
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def _zigzag(v):
    return (v << 1) ^ (v >> 63)


I32, I64, BINARY, LIST, STRUCT = 5, 6, 8, 9, 12


def _value(t, v):
    if t in (I32, I64):
        return _uvarint(_zigzag(v))
    if t == BINARY:
        return _uvarint(len(v)) + v
    if t == STRUCT:
        return struct_(v)
    if t == LIST:
        et, items = v
        n = len(items)
        head = bytes([(n << 4) | et]) if n < 15 else bytes([0xF0 | et]) + _uvarint(n)
        return head + b"".join(_value(et, x) for x in items)
    raise ValueError(t)


def struct_(fields):
    """fields: (id, type, value) in increasing id order."""
    out, last = b"", 0
    for fid, t, v in fields:
        d = fid - last
        out += bytes([(d << 4) | t]) if 0 < d < 16 else bytes([t]) + _uvarint(_zigzag(fid))
        out += _value(t, v)
        last = fid
    return out + b"\0"


def plain(strings):
    return b"".join(struct.pack("<I", len(s)) + s for s in strings)


def rle_run(n, value):
    """An RLE run of n copies of a value of one byte."""
    return _uvarint(n << 1) + bytes([value])


def levels(n, level=1):
    """A v1 page's definition levels (bit width 1): one RLE run of n."""
    run = rle_run(n, level)
    return struct.pack("<I", len(run)) + run


def data_page(num_values, body, stored=None, encoding=0):
    """A v1 data page: body uncompressed, stored (compressed) as given."""
    stored = body if stored is None else stored
    head = [(1, I32, 0), (2, I32, len(body)), (3, I32, len(stored)),
            (5, STRUCT, [(1, I32, num_values), (2, I32, encoding), (3, I32, 3), (4, I32, 3)])]
    return struct_(head) + stored


def dict_page(strings):
    body = plain(strings)
    head = [(1, I32, 2), (2, I32, len(body)), (3, I32, len(body)),
            (7, STRUCT, [(1, I32, len(strings)), (2, I32, 0)])]
    return struct_(head) + body


def parquet(pages, num_rows, num_values, codec=0, optional=True, name=b"text",
            has_dict=False):
    """The whole file: PAR1, the chunk, the footer."""
    data = b"PAR1"
    off = len(data)
    chunk = b"".join(pages)
    data += chunk
    schema = [[(4, BINARY, b"schema"), (5, I32, 1)],
              [(1, I32, 6), (3, I32, 1 if optional else 0), (4, BINARY, name), (6, I32, 0)]]
    meta = [(1, I32, 6), (2, LIST, (I32, [0, 8] if has_dict else [0])),
            (3, LIST, (BINARY, [name])), (4, I32, codec), (5, I64, num_values),
            (6, I64, len(chunk)), (7, I64, len(chunk)), (9, I64, off)]
    if has_dict:
        meta[-1] = (9, I64, off + len(pages[0]))
        meta.append((11, I64, off))
    group = [(1, LIST, (STRUCT, [[(2, I64, off), (3, STRUCT, meta)]])),
             (2, I64, len(chunk)), (3, I64, num_rows)]
    footer = struct_([(1, I32, 1), (2, LIST, (STRUCT, schema)), (3, I64, num_rows),
                      (4, LIST, (STRUCT, [group]))])
    return data + footer + struct.pack("<I", len(footer)) + b"PAR1"
