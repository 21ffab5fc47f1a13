/**
 * Services the kernel provides to every Vigil bundle: the local node, cmap, membership, CPG, quorum and the clock.
 *
 * <p>All types here are implemented by the kernel ({@code @ProviderType}) unless marked
 * {@code @ConsumerType}. They are exported by the kernel, which is never updated at run time, so upgrading a
 * plug-in bundle never forces a refresh of the bundles that import this package.
 */
@Export
@Version("1.2.0")
package org.vigil.kernel.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
