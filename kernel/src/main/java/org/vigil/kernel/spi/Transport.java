package org.vigil.kernel.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Datagram I/O for one Totem ring: sockets only, no protocol state. Registered as a service with the property
 * {@value #TYPE} ({@code udpu} or {@code udp}); the kernel picks the service matching {@code totem.transport}.
 *
 * <p>Life cycle: the kernel calls {@link #open} once per ring it uses, sends through the returned
 * {@link Channel} from its protocol thread, and closes the channel when it unbinds the service or stops.
 * Because a transport keeps no protocol state, replacing its bundle costs only the datagrams in flight, which
 * Totem retransmits.
 */
@ConsumerType
public interface Transport {

    /** Service property: the {@code totem.transport} value this service implements. */
    String TYPE = "vigil.transport";

    /**
     * Opens the sockets for one ring.
     *
     * @param spec     addresses, buffer sizes and MTU
     * @param receiver where every received datagram goes, on the transport's I/O thread
     * @return an open channel
     * @throws IOException if the sockets cannot be bound; nothing stays open then
     */
    Channel open(TransportSpec spec, DatagramReceiver receiver) throws IOException;

    /** One open ring. {@code send}/{@code multicast} may be called from any thread and never block. */
    interface Channel extends AutoCloseable {

        /** Sends one datagram to one member. Silently dropped if the member has no address or the send fails. */
        void send(int nodeId, ByteBuffer datagram);

        /** Sends one datagram to every member, this node included (udpu: one unicast each; udp: IP multicast). */
        void multicast(ByteBuffer datagram);

        /** Closes the sockets. Idempotent. */
        @Override
        void close();
    }
}
