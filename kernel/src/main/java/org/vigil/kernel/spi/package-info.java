/**
 * Service provider interfaces that plug-in bundles implement ({@code @ConsumerType}): datagram transports for
 * the ring, vote providers for quorum, resource agents and fence agents.
 *
 * <p>The kernel binds transports and vote providers through dynamic, greedy references: a newer or
 * higher-ranked service replaces the old one without deactivating the kernel's components, which is what makes
 * an in-place upgrade of a plug-in bundle possible.
 */
@Export
@Version("1.2.0")
package org.vigil.kernel.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
