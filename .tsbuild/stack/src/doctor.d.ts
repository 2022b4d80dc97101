export interface DoctorRow {
    readonly name: string;
    readonly version: string | undefined;
    /** 'running', 'stopped', or 'tool' for something that is not a server. */
    readonly state: 'running' | 'stopped' | 'tool';
    readonly pid?: number;
}
export declare function doctor(): Promise<DoctorRow[]>;
export declare function formatDoctor(rows: readonly DoctorRow[]): string;
