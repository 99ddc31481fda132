// jsdom has no canvas: give chart.js a 2D context that accepts every call and records draws.
export const drawCalls = { count: 0 };

export function installCanvasMock(): void {
  const handler: ProxyHandler<Record<string, unknown>> = {
    get(target, prop) {
      if (prop in target) return target[prop as string];
      if (prop === 'measureText') return () => ({ width: 10 });
      if (prop === 'getImageData') return () => ({ data: new Uint8ClampedArray(4) });
      if (prop === 'stroke') return () => void drawCalls.count++;
      return () => {};
    },
    set(target, prop, value) {
      target[prop as string] = value;
      return true;
    },
  };
  HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement) {
    return new Proxy({ canvas: this }, handler) as unknown as CanvasRenderingContext2D;
  } as unknown as typeof HTMLCanvasElement.prototype.getContext;
}
