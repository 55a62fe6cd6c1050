/** How this program starts itself again: the compiled binary runs itself; from source, bun runs the entry script. */
export function selfCommand(): string[] {
  return Bun.main.startsWith("/$bunfs/") ? [process.execPath] : [process.execPath, Bun.main];
}
