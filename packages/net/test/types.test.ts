/**
 * Type tests: what the sockets' futures resolve with (`yield*` results), the address argument
 * forms, split halves that remember their stream, and misuse the compiler rejects
 * (`@ts-expect-error` fails the build if the line compiles). The typed code runs over loopback
 * in the test below, so its results are checked too.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readExact } from "@tokio-ts/io-driver";
import { spawn } from "@tokio-ts/runtime";
import {
  SocketAddr,
  TcpListener,
  TcpStream,
  UdpSocket,
  UnixSocketAddr,
  UnixStream,
  lookupHost,
  type AddrOf,
  type HostPort,
  type IpFamily,
  type OwnedReadHalf,
  type OwnedWriteHalf,
  type ReadHalf,
  type SplitHalves,
  type ToSocketAddrs,
  type WriteHalf,
} from "../src/index.js";
import { run } from "./helpers.js";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

export function* loopback(): Generator<unknown, unknown[], unknown> {
  const forms: ToSocketAddrs[] = ["127.0.0.1:0", { host: "127.0.0.1", port: 0 }, { ip: "127.0.0.1", port: 0 }, new SocketAddr("127.0.0.1", 0)];
  const listener = yield* TcpListener.bind(forms[1]!);
  expectType<Equals<typeof listener, TcpListener>>();
  const local = listener.localAddr();
  expectType<Equals<typeof local, SocketAddr>>();
  const family: IpFamily = local.family;
  const accepting = spawn(listener.accept());
  const client = yield* TcpStream.connect(local);
  expectType<Equals<typeof client, TcpStream>>();
  const accepted = yield* accepting;
  expectType<Equals<typeof accepted, [TcpStream, SocketAddr]>>();
  const [server, peer] = accepted;
  listener.close();

  const [rd, wr] = client.split();
  expectType<Equals<typeof rd, ReadHalf<TcpStream>>>();
  expectType<Equals<typeof wr, WriteHalf<TcpStream>>>();
  yield* wr.writeAll(enc("ping"));
  const halves = server.intoSplit();
  expectType<Equals<typeof halves, SplitHalves<TcpStream>>>();
  const [ownedRead, ownedWrite]: [OwnedReadHalf<TcpStream>, OwnedWriteHalf<TcpStream>] = halves;
  const buf = new Uint8Array(4);
  const n = yield* readExact(ownedRead, buf); // a half is an AsyncRead
  expectType<Equals<typeof n, number>>();
  const ping = dec(buf);
  const halfAddr = ownedRead.peerAddr();
  expectType<Equals<typeof halfAddr, SocketAddr>>();
  const whole = ownedRead.reunite(ownedWrite);
  expectType<Equals<typeof whole, TcpStream>>();
  const peerIsClient = peer.equals(client.localAddr()); // before close(): a closed stream has no address to give
  whole.close();
  client.close();

  const udp = yield* UdpSocket.bind("127.0.0.1:0");
  const sent = yield* udp.sendTo(enc("dgram"), udp.localAddr());
  expectType<Equals<typeof sent, number>>();
  const received = yield* udp.recvFrom(new Uint8Array(16));
  expectType<Equals<typeof received, [number, SocketAddr]>>();
  udp.close();

  const addrs = yield* lookupHost("127.0.0.1:80");
  expectType<Equals<typeof addrs, SocketAddr[]>>();
  const hostPort: HostPort = { host: "localhost", port: 1 };
  return [family, ping, peerIsClient || peer.port > 0, received[0], addrs[0]!.port, hostPort.port];
}

export function misuse(): void {
  type UnixAddr = AddrOf<UnixStream>;
  expectType<Equals<UnixAddr, UnixSocketAddr>>();
  expectType<Equals<AddrOf<TcpStream>, SocketAddr>>();
  // @ts-expect-error a port alone is not an address
  TcpStream.connect(8080);
  // @ts-expect-error the port is a number
  TcpListener.bind({ host: "localhost", port: "80" });
  // @ts-expect-error a tuple is not an address form
  UdpSocket.bind(["127.0.0.1", 0]);
  const addr = new SocketAddr("127.0.0.1", 1);
  // @ts-expect-error a SocketAddr is immutable
  addr.port = 2;
  const halves = {} as SplitHalves<TcpStream>;
  // @ts-expect-error halves of a TcpStream do not reunite into a UnixStream's
  const other: OwnedWriteHalf<UnixStream> = halves[1];
  void other;
}

test("the typed socket code runs over loopback with the values its types say", async () => {
  assert.type(misuse, "function");
  assert.equal(await run(loopback), ["IPv4", "ping", true, 5, 80, 1]);
});

test.run();
