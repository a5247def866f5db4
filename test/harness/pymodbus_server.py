"""A Modbus server for Brink's tests and benchmarks, on Debian's python3-pymodbus (3.0).

Run it with /usr/bin/python3 (Debian's pymodbus is importable by that interpreter only):

    /usr/bin/python3 pymodbus_server.py CONFIG.json

CONFIG.json:
    {
      "tcp":   [{"port": 5020}, {"port": 5021, "mode": "dead"}],      # listeners on 127.0.0.1
      "rtu":   {"device": "/tmp/x/server", "baudrate": 19200, "parity": "N", "stopbits": 1, "bytesize": 8},
      "units": {"1": {"size": 1000, "hr": {"0": [1, 2, 3]}, "ir": {}, "co": {"0": [1, 0, 1]}, "di": {}}},
      "faults": {"5": "busy", "6": "dead", "7": "garbage", "8": "slow:200"}
    }

- Each unit has four tables (hr, ir, co, di) of `size` items (default 1000), zero-filled, protocol address N being
  item N; `{"start": [values...]}` sets items from `start` on. Reads or writes past `size` get exception 2.
- A listener in mode "dead" accepts connections and never answers.
- Unit faults: "dead" never answers, "busy" answers exception 6 (server device busy), "failure" exception 4,
  "garbage" answers a malformed frame (TCP: a PDU one register short with a consistent MBAP length; RTU: a
  corrupted CRC), "slow:MS" answers after MS milliseconds.
- Requests to a unit that is not configured are not answered (pymodbus ignores unknown unit ids).

Prints "READY" on stdout once every listener is up; stops on SIGTERM/SIGINT.
"""
import asyncio
import json
import signal
import struct
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.framer.socket_framer import ModbusSocketFramer
from pymodbus.pdu import ExceptionResponse, ModbusExceptions
from pymodbus.server.async_io import (
    ModbusConnectedRequestHandler,
    ModbusSerialServer,
    ModbusSingleRequestHandler,
    ModbusTcpServer,
)

DEFAULT_SIZE = 1000


def block(size, contents, bits):
    values = [False if bits else 0] * size
    for start, items in (contents or {}).items():
        for i, v in enumerate(items):
            values[int(start) + i] = bool(v) if bits else int(v) & 0xFFFF
    return ModbusSequentialDataBlock(0, values)


def build_context(units):
    slaves = {}
    for unit, spec in units.items():
        size = int(spec.get("size", DEFAULT_SIZE))
        slaves[int(unit)] = ModbusSlaveContext(
            hr=block(size, spec.get("hr"), False),
            ir=block(size, spec.get("ir"), False),
            co=block(size, spec.get("co"), True),
            di=block(size, spec.get("di"), True),
            zero_mode=True,
        )
    return ModbusServerContext(slaves=slaves, single=False)


class FaultMixin:
    """Applies the configured unit faults before pymodbus answers a request."""

    faults = {}
    rtu = False

    def execute(self, request, *addr):
        fault = self.faults.get(request.unit_id, "")
        if fault == "dead":
            return
        if fault == "busy" or fault == "failure":
            code = ModbusExceptions.SlaveBusy if fault == "busy" else ModbusExceptions.SlaveFailure
            response = ExceptionResponse(request.function_code, code)
            response.transaction_id = request.transaction_id
            response.unit_id = request.unit_id
            self.send(response, *addr)
            return
        if fault == "garbage":
            response = request.execute(self.server.context[request.unit_id])
            response.transaction_id = request.transaction_id
            response.unit_id = request.unit_id
            self._send_(self.garbage(response))
            return
        if fault.startswith("slow:"):
            delay = int(fault[5:]) / 1000.0
            asyncio.get_running_loop().call_later(delay, lambda: super(FaultMixin, self).execute(request, *addr))
            return
        super().execute(request, *addr)

    def garbage(self, response):
        pdu = struct.pack(">B", response.function_code) + response.encode()
        if self.rtu:
            frame = ModbusRtuFramer(None).buildPacket(response)
            return frame[:-1] + bytes([frame[-1] ^ 0xFF])
        # Drop the last two bytes of the PDU but keep the MBAP length consistent: a well-framed, wrong-sized answer.
        pdu = pdu[:-2] if len(pdu) > 3 else pdu
        return struct.pack(">HHHB", response.transaction_id, 0, len(pdu) + 1, response.unit_id) + pdu


class TcpHandler(FaultMixin, ModbusConnectedRequestHandler):
    pass


class SerialHandler(FaultMixin, ModbusSingleRequestHandler):
    rtu = True


class DeadProtocol(asyncio.Protocol):
    """Accepts a connection and never answers."""

    def data_received(self, data):
        pass


async def main(path):
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    context = build_context(config.get("units", {"1": {}}))
    FaultMixin.faults = {int(k): v for k, v in config.get("faults", {}).items()}
    loop = asyncio.get_running_loop()
    servers = []
    tasks = []
    for listener in config.get("tcp", []):
        port = int(listener["port"])
        if listener.get("mode") == "dead":
            servers.append(await loop.create_server(DeadProtocol, "127.0.0.1", port, reuse_address=True))
            continue
        server = ModbusTcpServer(context, framer=ModbusSocketFramer, address=("127.0.0.1", port), handler=TcpHandler, allow_reuse_address=True)
        tasks.append(asyncio.create_task(server.serve_forever()))
        await server.serving
        servers.append(server)
    rtu = config.get("rtu")
    if rtu:
        server = ModbusSerialServer(
            context,
            framer=ModbusRtuFramer,
            port=rtu["device"],
            baudrate=int(rtu.get("baudrate", 19200)),
            bytesize=int(rtu.get("bytesize", 8)),
            parity=rtu.get("parity", "N"),
            stopbits=int(rtu.get("stopbits", 1)),
            handler=SerialHandler,
        )
        await server.start()
        if server.transport is None:
            raise SystemExit(f"cannot open serial port {rtu['device']}")
        servers.append(server)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("READY", flush=True)
    await stop.wait()
    for task in tasks:
        task.cancel()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
