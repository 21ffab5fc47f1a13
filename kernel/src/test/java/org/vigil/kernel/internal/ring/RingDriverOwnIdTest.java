package org.vigil.kernel.internal.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.kernel.api.CmapEntry;
import org.vigil.kernel.config.VigilConfig;
import org.vigil.kernel.internal.cmap.CmapStore;
import org.vigil.kernel.internal.wire.WireCodec;
import org.vigil.kernel.spi.DatagramReceiver;
import org.vigil.kernel.spi.Transport;

/**
 * A datagram carrying the receiving node's own id is dropped, and counted: as this node's own multicast looped
 * back when it comes from this node's ring address and port, else as a rejected datagram
 * ({@code stats.wire.rx_own_id_elsewhere}: a forgery, or another node configured with the same id). Forged
 * own-id datagrams used to be dropped without any counter moving.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RingDriverOwnIdTest {

    @TempDir
    Path dir;

    private static long stat(CmapStore cmap, String key) {
        CmapEntry e = cmap.get(key).orElse(null);
        return e == null ? -1 : ((Number) e.value()).longValue();
    }

    private static void await(CmapStore cmap, String key, long value) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stat(cmap, key) != value && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(value, stat(cmap, key), key);
    }

    @Test
    void ownIdFromAnotherAddressIsCountedAsRejectedAndALoopedBackOneIsNot() throws Exception {
        VigilConfig cfg = VigilConfig.fromText("t.conf", """
            totem {
             version: 2
             cluster_name: ownid
            }
            nodelist {
             node {
              ring0_addr: 127.0.0.1
              ring0_port: 47611
              nodeid: 1
             }
             node {
              ring0_addr: 127.0.0.2
              ring0_port: 47612
              nodeid: 2
             }
            }
            """);
        CmapStore cmap = new CmapStore();
        AtomicReference<DatagramReceiver> receiver = new AtomicReference<>();
        RingDriver driver = new RingDriver(cfg, 1, dir, cmap, new RingDriver.Links() {
            @Override
            public Transport.Channel channel(int ring) {
                return null;   // nothing is sent anywhere
            }

            @Override
            public void setReceiver(DatagramReceiver r) {
                receiver.set(r);
            }
        }, null);
        try {
            driver.start();
            WireCodec forger = new WireCodec("ownid", 1, "none", "none", null);
            byte[] payload = {1, 2, 3, 4};
            receiver.get().received(0, new InetSocketAddress("127.0.0.1", 47611), copy(forger.encode(payload, 0, 4)));
            for (int i = 0; i < 3; i++) {
                receiver.get().received(0, new InetSocketAddress("127.0.0.2", 47612),
                    copy(forger.encode(payload, 0, 4)));
            }
            // same address, another port: not this node's socket either
            receiver.get().received(0, new InetSocketAddress("127.0.0.1", 40000), copy(forger.encode(payload, 0, 4)));
            await(cmap, "stats.wire.rx_own_id_elsewhere", 4);
            await(cmap, "stats.wire.rx_own_looped", 1);
        } finally {
            driver.close();
        }
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }
}
