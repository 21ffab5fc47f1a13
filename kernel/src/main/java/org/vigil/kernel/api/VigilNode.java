package org.vigil.kernel.api;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;
import org.vigil.kernel.config.VigilConfig;

/**
 * The local node: who it is, where its state lives and the configuration it was started with.
 *
 * <p>Registered by the kernel once the configuration has been read and loaded into cmap. Immutable and
 * thread-safe; a configuration reload (later) registers a new instance.
 */
@ProviderType
public interface VigilNode {

    /** This node's 32-bit Totem node id (never 0), from the nodelist, the member list or the command line. */
    int nodeId();

    /** This node's name: the nodelist {@code name}, else the address it was identified by. */
    String name();

    /** Directory holding this node's state: pid file, admin socket, ring id, framework cache. */
    Path stateDir();

    /** The effective, validated configuration. */
    VigilConfig config();

    /** Wall-clock time the node process started, in milliseconds since the epoch. */
    long startedAtMillis();

    /** The Vigil version string, e.g. {@code 0.1.0}. */
    String version();
}
