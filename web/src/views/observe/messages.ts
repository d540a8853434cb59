/**
 * Labels of the ASEAN observers' view, in English, Khmer and Thai. Labels of observations and
 * attestations themselves are in `../release-messages.ts`; task facts in the task board's messages.
 */
import { defineMessages } from '../../app/i18n.ts';

export const observeMessages = defineMessages({
  en: {
    title: 'Observations and attestations',
    intro: 'ASEAN Observer Team: record what you observe on the tasks of {country}, and attest releases that QA accepted.',
    country: 'Country',
    'list.attest': 'Releases awaiting your attestation',
    'empty.attest': 'No release awaits attestation.',
    'list.tasks': 'Tasks',
    'empty.tasks': 'No tasks to observe.',
    report: 'Completion report {ref}',
    record: 'Record an observation',
    hideForm: 'Close the form',
    showObservations: 'Show observations',
    hideObservations: 'Hide observations',
    closeForm: 'Close the form',
  },
  km: {
    title: 'ការសង្កេត និងការបញ្ជាក់',
    intro: 'ក្រុមអ្នកសង្កេតការណ៍អាស៊ាន៖ កត់ត្រាអ្វីដែលអ្នកសង្កេតឃើញលើភារកិច្ចនៃ {country} ហើយបញ្ជាក់លើការដោះលែងដីដែលការធានាគុណភាពបានទទួលយក។',
    country: 'ប្រទេស',
    'list.attest': 'ការដោះលែងដីដែលកំពុងរង់ចាំការបញ្ជាក់របស់អ្នក',
    'empty.attest': 'គ្មានការដោះលែងដីណាមួយកំពុងរង់ចាំការបញ្ជាក់ទេ។',
    'list.tasks': 'ភារកិច្ច',
    'empty.tasks': 'គ្មានភារកិច្ចសម្រាប់សង្កេតទេ។',
    report: 'របាយការណ៍បញ្ចប់ការងារ {ref}',
    record: 'កត់ត្រាការសង្កេត',
    hideForm: 'បិទទម្រង់',
    showObservations: 'បង្ហាញការសង្កេត',
    hideObservations: 'លាក់ការសង្កេត',
    closeForm: 'បិទទម្រង់',
  },
  th: {
    title: 'การสังเกตการณ์และการรับรอง',
    intro: 'ทีมผู้สังเกตการณ์อาเซียน: บันทึกสิ่งที่คุณสังเกตในภารกิจของ {country} และรับรองการปลดปล่อยพื้นที่ที่ผ่านการตรวจสอบคุณภาพแล้ว',
    country: 'ประเทศ',
    'list.attest': 'การปลดปล่อยพื้นที่ที่รอการรับรองของคุณ',
    'empty.attest': 'ไม่มีการปลดปล่อยพื้นที่ที่รอการรับรอง',
    'list.tasks': 'ภารกิจ',
    'empty.tasks': 'ไม่มีภารกิจให้สังเกตการณ์',
    report: 'รายงานการดำเนินงานเสร็จสิ้น {ref}',
    record: 'บันทึกการสังเกตการณ์',
    hideForm: 'ปิดแบบฟอร์ม',
    showObservations: 'แสดงการสังเกตการณ์',
    hideObservations: 'ซ่อนการสังเกตการณ์',
    closeForm: 'ปิดแบบฟอร์ม',
  },
});
