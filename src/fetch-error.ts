/** What made a fetch fail: Node's fetch rejects with a TypeError whose cause (an Error with a code) says it. */
export const describeFetchError = (error: unknown): string => {
  const cause = (error as Error).cause;
  return cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : (error as Error).message;
};
