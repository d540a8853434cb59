// geodesy (Chris Veness) ships ES modules without types: the part the console uses.
declare module 'geodesy/mgrs.js' {
  export class LatLon {
    constructor(lat: number, lon: number);
    readonly lat: number;
    readonly lon: number;
    static parse(text: string): LatLon;
    toUtm(): Utm;
  }
  export class Utm {
    readonly zone: number;
    readonly hemisphere: 'N' | 'S';
    readonly easting: number;
    readonly northing: number;
    static parse(text: string): Utm;
    toLatLon(): LatLon;
    toMgrs(): Mgrs;
    toString(digits?: number): string;
  }
  export const Dms: {
    /** Degrees from decimal or sexagesimal text (NaN when it is not one). */
    parse(text: string): number;
  };
  export default class Mgrs {
    static parse(text: string): Mgrs;
    toUtm(): Utm;
    toString(digits?: number): string;
  }
}
