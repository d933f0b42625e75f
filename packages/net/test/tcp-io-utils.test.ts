import { test } from "uvu";
import * as assert from "uvu/assert";
import { BufReader, BufWriter, copy, copyBidirectional, flush, lines, readExact, readToString, shutdown, writeAll } from "@tokio-ts/io-driver";
import { spawn } from "@tokio-ts/runtime";
import { TcpListener, TcpStream } from "../src/index.js";
import { run } from "./helpers.js";

const enc = (s: string) => new TextEncoder().encode(s);

function* pair() {
  const listener = yield* TcpListener.bind("127.0.0.1:0");
  const accepting = spawn(listener.accept());
  const client = yield* TcpStream.connect(listener.localAddr());
  const [server] = yield* accepting;
  listener.close();
  return [client, server] as const;
}

test("io-driver's utilities work on TcpStream: BufWriter/lines, readExact, readToString", async () => {
  await run(function* () {
    const [client, server] = yield* pair();
    // a line protocol: the server answers each line with its length
    const srv = spawn(function* () {
      const out = new BufWriter(server);
      const input = lines(new BufReader(server));
      for (let line; (line = yield* input.nextLine()) !== undefined; ) yield* writeAll(out, enc(`${line.length}\n`));
      yield* flush(out);
      yield* shutdown(out);
    });
    yield* writeAll(client, enc("a\nbb\r\nccc\n"));
    yield* shutdown(client); // the server's BufWriter is flushed when its input ends
    const four = new Uint8Array(4);
    yield* readExact(client, four);
    assert.is(new TextDecoder().decode(four), "1\n2\n");
    assert.is(yield* readToString(client), "3\n");
    yield* srv;
    client.close();
    server.close();
  });
});

test("copy() echoes a stream into itself and copyBidirectional proxies between two connections", async () => {
  await run(function* () {
    const [client, server] = yield* pair();
    const echo = spawn(function* () {
      const [rd, wr] = server.split();
      const n = yield* copy(rd, wr);
      yield* shutdown(wr);
      return n;
    });
    // a proxy in front of the echo: front client → proxy → echo
    const front = yield* TcpListener.bind("127.0.0.1:0");
    const proxy = spawn(function* () {
      const [inbound] = yield* front.accept();
      const result = yield* copyBidirectional(inbound, client);
      inbound.close();
      return result;
    });
    const user = yield* TcpStream.connect(front.localAddr());
    yield* writeAll(user, enc("through the proxy"));
    yield* shutdown(user);
    assert.is(yield* readToString(user), "through the proxy");
    assert.is(yield* echo, 17);
    assert.equal(yield* proxy, [17, 17]);
    user.close();
    front.close();
    client.close();
    server.close();
  });
});

test.run();
