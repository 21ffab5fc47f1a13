/**
 * Administrative commands any bundle can contribute. The shell publishes each {@link AdminCommand} as a Gogo
 * command; the admin socket runs them for the {@code vigil} command-line client.
 */
@Export
@Version("1.2.0")
package org.vigil.kernel.api.command;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
