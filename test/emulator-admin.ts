/** Switches the Bedrock emulator's faults (PUT, fields left out keep their value) or clears them all (null). */
export async function setEmulatorFaults(adminUrl: string, faults: Record<string, unknown> | null): Promise<void> {
  const response = await fetch(`${adminUrl}/faults`, {
    method: faults ? 'PUT' : 'DELETE', headers: { 'content-type': 'application/json' }, body: faults ? JSON.stringify(faults) : undefined,
  });
  if (response.status !== 200) throw new Error(`the emulator's faults answered ${response.status}: ${await response.text()}`);
}
