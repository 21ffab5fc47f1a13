package org.vigil.kernel.spi;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The kernel's side of an open transport: where received datagrams go.
 *
 * <p>Called on the transport's I/O thread. It never blocks and never throws; the buffer is only valid during
 * the call (the kernel copies what it keeps).
 */
@ProviderType
@FunctionalInterface
public interface DatagramReceiver {
    void received(int ring, InetSocketAddress from, ByteBuffer datagram);
}
