/**
 * Reading {@code corosync.conf}-syntax configuration: the parser ({@link ConfigParser}), one typed, defaulted
 * declaration per key ({@link ConfigSchema}) and the validated, effective configuration ({@link VigilConfig})
 * with the derived Totem timers. Plain Java: usable from the command line without a framework.
 */
@Export
@Version("1.1.0")
package org.vigil.kernel.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
