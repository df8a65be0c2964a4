// The few jStat functions the cross-task statistics use (jstat ships no type declarations).
declare module 'jstat' {
  interface Distribution {
    cdf(x: number, ...parameters: number[]): number;
    inv(p: number, ...parameters: number[]): number;
  }
  const jStat: {
    readonly chisquare: Distribution;
    readonly centralF: Distribution;
    readonly tukey: Distribution;
  };
  export default jStat;
}
