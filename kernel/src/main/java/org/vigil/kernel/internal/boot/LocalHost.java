package org.vigil.kernel.internal.boot;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/** This host's name and addresses, without name-service lookups (which may hang). */
public final class LocalHost {

    private LocalHost() {
    }

    /** The kernel host name ({@code /proc/sys/kernel/hostname}), or null. */
    public static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Every address of every interface that is up. */
    public static Set<InetAddress> addresses() {
        Set<InetAddress> out = new HashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                try {
                    if (ni.isUp()) {
                        out.addAll(Collections.list(ni.getInetAddresses()));
                    }
                } catch (SocketException e) {
                    // interface vanished while listing
                }
            }
        } catch (SocketException e) {
            // no interfaces readable: identification falls back to names
        }
        return out;
    }
}
