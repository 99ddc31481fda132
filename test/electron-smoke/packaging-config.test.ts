// The installers' hardening that cannot be exercised without the Electron binary: the fuses
// electron-builder flips in the packaged binary. The packaging config is read by
// electron-builder's own loader, checked against its schema, and turned into the fuse wire
// with the very function `npm run package` uses, so a misspelt key or a dropped fuse fails here.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
// app-builder-lib and @electron/fuses as electron-builder itself resolves them.
const fromBuilder = createRequire(createRequire(__filename).resolve('electron-builder'));
const { getConfig, validateConfiguration } = fromBuilder('app-builder-lib/out/util/config/config');
const { PlatformPackager } = fromBuilder('app-builder-lib');
const { DebugLogger } = fromBuilder('builder-util');
const { FuseV1Options, FuseVersion } = createRequire(fromBuilder.resolve('app-builder-lib'))('@electron/fuses');

describe('electron-builder packaging config', () => {
  it('is valid for the installed electron-builder', async () => {
    const config = await getConfig(root, null, null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // The schema check has teeth: a misspelt fuse section is refused.
    const { electronFuses, ...rest } = config;
    await expect(validateConfiguration({ ...rest, electronFuse: electronFuses }, new DebugLogger(false))).rejects.toThrow(/configuration/);
  });

  it('flips the fuses: no run-as-Node, no NODE_OPTIONS, no --inspect, app only from an integrity-checked asar, encrypted cookies', async () => {
    const config = await getConfig(root, null, null);
    const wire = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses);
    expect(wire.version).toBe(FuseVersion.V1);
    expect(wire[FuseV1Options.RunAsNode]).toBe(false);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(true);
    // The renderer is loaded from file:// as ES modules: that privilege is left as Electron ships it.
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBeUndefined();
  });

  it('keeps the asar archive (the fuses above would refuse an unpacked app)', async () => {
    const config = await getConfig(root, null, null);
    expect(config.asar ?? true).not.toBe(false);
  });
});
