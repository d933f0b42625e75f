import { test } from "uvu";
import * as assert from "uvu/assert";
import { SocketAddr } from "../src/index.js";
import { toHostPort } from "../src/addr.js";

test("SocketAddr formats IPv4 as ip:port and IPv6 in brackets", () => {
  const v4 = new SocketAddr("1.2.3.4", 80);
  assert.is(v4.toString(), "1.2.3.4:80");
  assert.is(v4.family, "IPv4");
  assert.ok(v4.isIpv4());
  const v6 = new SocketAddr("::1", 80);
  assert.is(v6.toString(), "[::1]:80");
  assert.is(v6.family, "IPv6");
  assert.ok(v6.isIpv6());
  assert.is(JSON.stringify({ a: v6 }), '{"a":"[::1]:80"}');
});

test("SocketAddr.parse reads both forms and round-trips toString", () => {
  for (const text of ["127.0.0.1:0", "10.0.0.1:65535", "[::1]:443", "[fe80::1]:8080"]) {
    assert.is(SocketAddr.parse(text).toString(), text);
  }
  assert.ok(SocketAddr.parse("127.0.0.1:6379").equals(new SocketAddr("127.0.0.1", 6379)));
  assert.not.ok(SocketAddr.parse("127.0.0.1:6379").equals(new SocketAddr("127.0.0.1", 6380)));
});

test("SocketAddr rejects names, bad IPs and bad ports with the right error", () => {
  assert.throws(() => SocketAddr.parse("localhost:80"), (e: unknown) => e instanceof TypeError && /addr/.test(e.message));
  assert.throws(() => new SocketAddr("300.1.1.1", 80), (e: unknown) => e instanceof TypeError);
  assert.throws(() => new SocketAddr("1.2.3.4", 70000), (e: unknown) => e instanceof RangeError && /port/.test(e.message));
  assert.throws(() => new SocketAddr("1.2.3.4", 1.5), (e: unknown) => e instanceof RangeError);
  assert.throws(() => new SocketAddr("1.2.3.4", "80" as unknown as number), (e: unknown) => e instanceof TypeError);
});

test("toHostPort accepts every address form", () => {
  assert.equal(toHostPort("127.0.0.1:80"), { host: "127.0.0.1", port: 80 });
  assert.equal(toHostPort("localhost:6379"), { host: "localhost", port: 6379 });
  assert.equal(toHostPort("[::1]:0"), { host: "::1", port: 0 });
  assert.equal(toHostPort({ host: "example.org", port: 443 }), { host: "example.org", port: 443 });
  assert.equal(toHostPort({ host: "[::1]", port: 1 }), { host: "::1", port: 1 });
  assert.equal(toHostPort({ ip: "::1", port: 2 }), { host: "::1", port: 2 });
  assert.equal(toHostPort(new SocketAddr("10.1.2.3", 3)), { host: "10.1.2.3", port: 3 });
  // Node's AddressInfo, as net.Server#address() returns it
  assert.equal(toHostPort({ address: "::1", family: "IPv6", port: 4 } as never), { host: "::1", port: 4 });
  assert.equal(toHostPort({ address: "127.0.0.1", port: 5 }), { host: "127.0.0.1", port: 5 });
});

test("toHostPort: TypeError for a bad shape and RangeError for a bad port, naming the argument", () => {
  const typeErr = (input: unknown, pattern: RegExp) =>
    assert.throws(() => toHostPort(input as never, "addr"), (e: unknown) => e instanceof TypeError && pattern.test(e.message));
  const rangeErr = (input: unknown, pattern: RegExp) =>
    assert.throws(() => toHostPort(input as never, "addr"), (e: unknown) => e instanceof RangeError && pattern.test(e.message));
  typeErr(42, /^addr must be/);
  typeErr(null, /^addr must be/);
  typeErr(undefined, /^addr must be/);
  typeErr("127.0.0.1", /^addr must be "host:port"/);
  typeErr(":80", /^addr must be "host:port"/);
  typeErr("::1:80", /brackets/);
  typeErr("[::1]80", /^addr must be "\[ipv6\]:port"/);
  typeErr("[1.2.3.4]:80", /IPv6/);
  typeErr("127.0.0.1:http", /:port/);
  typeErr("127.0.0.1:", /:port/);
  typeErr(["127.0.0.1:80", "127.0.0.1:81"], /^addr must be one address .* got an array of 2/);
  typeErr({ port: 80 }, /^addr\.host/);
  typeErr({ host: "", port: 80 }, /^addr\.host/);
  typeErr({ ip: "localhost", port: 80 }, /^addr\.ip/);
  typeErr({ host: "example.com", ip: "127.0.0.1", port: 80 } as never, /^addr must have host or ip, not both/);
  typeErr({ host: "x", port: "80" }, /^addr\.port must be a number/);
  rangeErr("127.0.0.1:65536", /port/);
  rangeErr("127.0.0.1:999999", /port/);
  rangeErr({ host: "x", port: -1 }, /^addr\.port/);
  rangeErr({ ip: "::1", port: 1.5 }, /^addr\.port/);
  rangeErr({ host: "x", port: Number.NaN }, /^addr\.port/);
});

test("SocketAddr.fromNode reads Node's AddressInfo and ignores what is not an address", () => {
  assert.is(SocketAddr.fromNode({ address: "127.0.0.1", family: "IPv4", port: 5 } as never)?.toString(), "127.0.0.1:5");
  assert.is(SocketAddr.fromNode(null), undefined);
  assert.is(SocketAddr.fromNode("/tmp/sock"), undefined);
  assert.is(SocketAddr.fromNode({}), undefined);
});

test("an IPv6 address is kept in Node's canonical text: non-canonical spellings are the same address (Rust's SocketAddr compares by value)", () => {
  const canonical = SocketAddr.parse("[::1]:80");
  for (const text of ["[0:0:0:0:0:0:0:1]:80", "[0::1]:80", "[0000::0001]:80"]) {
    const addr = SocketAddr.parse(text);
    assert.is(addr.toString(), "[::1]:80", text);
    assert.ok(addr.equals(canonical), text);
  }
  assert.is(new SocketAddr("::FFFF:127.0.0.1", 1).ip, "::ffff:127.0.0.1");
  assert.is(new SocketAddr("2001:DB8:0:0:1:0:0:1", 1).ip, "2001:db8::1:0:0:1");
  assert.is(new SocketAddr("FE80::1%lo", 1).ip, "fe80::1%lo", "the zone is kept");
  assert.is(new SocketAddr("127.0.0.1", 1).ip, "127.0.0.1");
});

test("a port may have any number of leading zeros; its value must still be in 0..65535", () => {
  assert.is(SocketAddr.parse("127.0.0.1:00080").port, 80);
  assert.is(SocketAddr.parse("127.0.0.1:000080").toString(), "127.0.0.1:80");
  assert.is(SocketAddr.parse("[::1]:0000000443").toString(), "[::1]:443");
  assert.is(SocketAddr.parse("127.0.0.1:000000").port, 0);
  assert.equal(toHostPort("localhost:0000065535"), { host: "localhost", port: 65535 });
  const range = (text: string) => assert.throws(() => SocketAddr.parse(text), (e: unknown) => e instanceof RangeError && /outside 0\.\.65535/.test(e.message));
  range("127.0.0.1:65536");
  range("127.0.0.1:0065536");
  range(`127.0.0.1:${"9".repeat(400)}`);
  for (const text of ["127.0.0.1:", "127.0.0.1:+80", "127.0.0.1:0x50", "127.0.0.1:80 ", "127.0.0.1:8_0"]) {
    assert.throws(() => SocketAddr.parse(text), (e: unknown) => e instanceof TypeError && /:port/.test(e.message), text);
  }
});

test.run();
