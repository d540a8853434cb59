/**
 * The labels of the registration choices in English, Khmer and Thai: the XLSForm writes them as the
 * choices' labels, and the importer accepts them (as KoBoToolbox and ODK export a choice as its label
 * in any language) besides the codes. The console shows the same words (web/src/views/households);
 * a unit test keeps the two equal.
 */
export type Labels = readonly [en: string, km: string, th: string];

export const SEX_LABELS: Readonly<Record<string, Labels>> = {
  F: ['Female', 'ស្រី', 'หญิง'],
  M: ['Male', 'ប្រុស', 'ชาย'],
  X: ['Other or not stated', 'ផ្សេងទៀត ឬមិនបញ្ជាក់', 'อื่น ๆ หรือไม่ระบุ'],
};

export const RELATIONSHIP_LABELS: Readonly<Record<string, Labels>> = {
  HEAD: ['Head of household', 'មេគ្រួសារ', 'หัวหน้าครัวเรือน'],
  SPOUSE: ['Spouse', 'ប្ដី ឬប្រពន្ធ', 'คู่สมรส'],
  CHILD: ['Child', 'កូន', 'บุตร'],
  PARENT: ['Parent', 'ឪពុក ឬម្ដាយ', 'บิดาหรือมารดา'],
  SIBLING: ['Brother or sister', 'បងប្អូនបង្កើត', 'พี่น้อง'],
  GRANDCHILD: ['Grandchild', 'ចៅ', 'หลาน'],
  GRANDPARENT: ['Grandparent', 'ជីដូន ឬជីតា', 'ปู่ ย่า ตา หรือยาย'],
  OTHER_RELATIVE: ['Other relative', 'សាច់ញាតិផ្សេងទៀត', 'ญาติอื่น'],
  NON_RELATIVE: ['Not related', 'មិនមែនសាច់ញាតិ', 'ไม่ใช่ญาติ'],
};

export const DOCUMENT_TYPE_LABELS: Readonly<Record<string, Labels>> = {
  NATIONAL_ID: ['National ID card', 'អត្តសញ្ញាណប័ណ្ណសញ្ជាតិ', 'บัตรประจำตัวประชาชน'],
  PASSPORT: ['Passport', 'លិខិតឆ្លងដែន', 'หนังสือเดินทาง'],
  FAMILY_BOOK: ['Family book', 'សៀវភៅគ្រួសារ', 'สมุดทะเบียนครอบครัว'],
  BIRTH_CERTIFICATE: ['Birth certificate', 'សំបុត្រកំណើត', 'สูติบัตร'],
  OTHER: ['Other document', 'ឯកសារផ្សេងទៀត', 'เอกสารอื่น'],
};

export const CONSENT_PURPOSE_LABELS: Readonly<Record<string, Labels>> = {
  RETURN_ASSISTANCE: ['Return assistance', 'ជំនួយសម្រាប់ការវិលត្រឡប់', 'ความช่วยเหลือในการกลับ'],
  REGISTRATION: ['Registration', 'ការចុះឈ្មោះ', 'การลงทะเบียน'],
  REFERRAL: ['Referral to services', 'ការបញ្ជូនទៅសេវា', 'การส่งต่อไปยังบริการ'],
  TRACING: ['Family tracing', 'ការស្វែងរកសមាជិកគ្រួសារ', 'การติดตามครอบครัว'],
  STATISTICS: ['Statistics', 'ស្ថិតិ', 'สถิติ'],
};

export const SPECIFIC_NEED_LABELS: Readonly<Record<string, Labels>> = {
  'CR-CP': ['Child parent', 'កុមារជាឪពុកម្ដាយ', 'เด็กที่เป็นพ่อแม่'],
  'CR-CS': ['Child spouse', 'កុមាររៀបការ', 'เด็กที่แต่งงานแล้ว'],
  'CR-CC': ['Child carer', 'កុមារជាអ្នកថែទាំ', 'เด็กที่เป็นผู้ดูแล'],
  'CR-TP': ['Teenage pregnancy', 'ការមានផ្ទៃពោះវ័យជំទង់', 'การตั้งครรภ์ในวัยรุ่น'],
  'CR-LW': ['Child labour', 'ពលកម្មកុមារ', 'แรงงานเด็ก'],
  'CR-NE': ['Child at risk of not attending school', 'កុមារប្រឈមនឹងការមិនបានទៅសាលា', 'เด็กที่เสี่ยงต่อการไม่ได้ไปโรงเรียน'],
  'CR-SE': ['Child with special education needs', 'កុមារមានតម្រូវការអប់រំពិសេស', 'เด็กที่มีความต้องการการศึกษาพิเศษ'],
  'CR-AF': ['Child associated with armed forces or groups', 'កុមារពាក់ព័ន្ធនឹងកងកម្លាំង ឬក្រុមប្រដាប់អាវុធ', 'เด็กที่เกี่ยวข้องกับกองกำลังหรือกลุ่มติดอาวุธ'],
  'CR-CL': ['Child in conflict with the law', 'កុមារប្រព្រឹត្តល្មើសច្បាប់', 'เด็กที่กระทำผิดกฎหมาย'],
  'SC-SC': ['Separated child', 'កុមារបែកពីគ្រួសារ', 'เด็กพลัดพราก'],
  'SC-UC': ['Unaccompanied child', 'កុមារគ្មានអ្នកអម', 'เด็กที่ไม่มีผู้ดูแล'],
  'SC-CH': ['Child-headed household', 'គ្រួសារដែលមានកុមារជាមេគ្រួសារ', 'ครัวเรือนที่มีเด็กเป็นหัวหน้า'],
  'SC-IC': ['Child in institutional care', 'កុមារក្នុងមណ្ឌលថែទាំ', 'เด็กในสถานสงเคราะห์'],
  'SC-FC': ['Child in foster care', 'កុមារក្នុងគ្រួសារចិញ្ចឹម', 'เด็กในครอบครัวอุปถัมภ์'],
  'DS-BD': ['Visual impairment', 'ពិការភ្នែក', 'ความบกพร่องทางการมองเห็น'],
  'DS-DF': ['Hearing impairment', 'ពិការត្រចៀក', 'ความบกพร่องทางการได้ยิน'],
  'DS-PM': ['Physical disability, moderate', 'ពិការរាងកាយ កម្រិតមធ្យម', 'ความพิการทางร่างกาย ระดับปานกลาง'],
  'DS-PS': ['Physical disability, severe', 'ពិការរាងកាយ កម្រិតធ្ងន់', 'ความพิการทางร่างกาย ระดับรุนแรง'],
  'DS-MM': ['Mental disability, moderate', 'ពិការផ្លូវចិត្ត កម្រិតមធ្យម', 'ความพิการทางจิตใจ ระดับปานกลาง'],
  'DS-MS': ['Mental disability, severe', 'ពិការផ្លូវចិត្ត កម្រិតធ្ងន់', 'ความพิการทางจิตใจ ระดับรุนแรง'],
  'DS-SD': ['Speech impairment', 'ពិការការនិយាយ', 'ความบกพร่องทางการพูด'],
  'SM-MI': ['Mental illness', 'ជំងឺផ្លូវចិត្ត', 'การเจ็บป่วยทางจิต'],
  'SM-MN': ['Malnutrition', 'កង្វះអាហារូបត្ថម្ភ', 'ภาวะทุพโภชนาการ'],
  'SM-CI': ['Chronic illness', 'ជំងឺរ៉ាំរ៉ៃ', 'โรคเรื้อรัง'],
  'SM-CC': ['Critical medical condition', 'ស្ថានភាពសុខភាពធ្ងន់ធ្ងរបំផុត', 'ภาวะทางการแพทย์วิกฤต'],
  'SM-AD': ['Addiction', 'ការញៀន', 'การเสพติด'],
  'SM-DP': ['Difficult pregnancy', 'ការមានផ្ទៃពោះប្រកបដោយការលំបាក', 'การตั้งครรภ์ที่มีภาวะยากลำบาก'],
  'SM-OT': ['Other medical condition', 'ស្ថានភាពសុខភាពផ្សេងទៀត', 'ภาวะทางการแพทย์อื่น ๆ'],
  'FU-TR': ['Tracing required', 'ត្រូវការស្វែងរកសមាជិកគ្រួសារ', 'ต้องการการติดตามครอบครัว'],
  'FU-FR': ['Family reunification required', 'ត្រូវការការជួបជុំគ្រួសារឡើងវិញ', 'ต้องการการรวมครอบครัว'],
  'LP-ND': ['No legal documentation', 'គ្មានឯកសារផ្លូវច្បាប់', 'ไม่มีเอกสารทางกฎหมาย'],
  'LP-BN': ['Unmet basic needs', 'តម្រូវការមូលដ្ឋានមិនត្រូវបានបំពេញ', 'ความต้องการพื้นฐานที่ไม่ได้รับการตอบสนอง'],
  'LP-AN': ['Violence, abuse or neglect', 'អំពើហិង្សា ការរំលោភបំពាន ឬការមិនយកចិត្តទុកដាក់', 'ความรุนแรง การทารุณกรรม หรือการถูกทอดทิ้ง'],
  'LP-MS': ['Marginalised from society or community', 'រងការរើសអើងពីសង្គម ឬសហគមន៍', 'ถูกกีดกันจากสังคมหรือชุมชน'],
  'LP-RR': ['At risk of refoulement', 'ប្រឈមនឹងការបញ្ជូនត្រឡប់ដោយបង្ខំ', 'เสี่ยงต่อการถูกผลักดันกลับ'],
  'LP-AF': ['Formerly associated with armed forces or groups', 'ធ្លាប់ពាក់ព័ន្ធនឹងកងកម្លាំង ឬក្រុមប្រដាប់អាវុធ', 'เคยเกี่ยวข้องกับกองกำลังหรือกลุ่มติดอาวุธ'],
  'LP-IH': ['In hiding', 'កំពុងលាក់ខ្លួន', 'อยู่ระหว่างหลบซ่อน'],
  'LP-NA': ['No access to services', 'មិនអាចទទួលបានសេវា', 'ไม่สามารถเข้าถึงบริการ'],
  'TR-PI': ['Psychological or physical impairment due to torture', 'ការខូចខាតផ្លូវចិត្ត ឬរាងកាយដោយសារទារុណកម្ម', 'ความบกพร่องทางจิตใจหรือร่างกายจากการถูกทรมาน'],
  'TR-HO': ['Forced to egregious acts', 'ត្រូវបានបង្ខំឱ្យប្រព្រឹត្តអំពើឃោរឃៅ', 'ถูกบังคับให้กระทำการร้ายแรง'],
  'TR-WV': ['Witness of violence to others', 'សាក្សីនៃអំពើហិង្សាលើអ្នកដទៃ', 'เป็นพยานเห็นความรุนแรงต่อผู้อื่น'],
  'SV-VA': ['Exposure to SGBV', 'រងអំពើហិង្សាផ្លូវភេទ និងផ្អែកលើយេនឌ័រ', 'เผชิญความรุนแรงทางเพศและบนฐานเพศสภาพ'],
  'SV-GM': ['Female genital mutilation', 'ការកាត់អវយវៈភេទស្ត្រី', 'การขลิบอวัยวะเพศหญิง'],
  'SV-HP': ['Harmful traditional practices', 'ទំនៀមទម្លាប់ប្រពៃណីដែលបង្កគ្រោះថ្នាក់', 'ประเพณีปฏิบัติที่เป็นอันตราย'],
  'SV-FM': ['Forced marriage', 'អាពាហ៍ពិពាហ៍ដោយបង្ខំ', 'การบังคับแต่งงาน'],
  'SV-SS': ['Survival sex', 'ការរួមភេទដើម្បីរស់រានមានជីវិត', 'การมีเพศสัมพันธ์เพื่อความอยู่รอด'],
  'ER-NF': ['Older person unable to care for self', 'មនុស្សចាស់មិនអាចមើលថែខ្លួនឯងបាន', 'ผู้สูงอายุที่ไม่สามารถดูแลตนเองได้'],
  'ER-MC': ['Older person with children', 'មនុស្សចាស់មើលថែកុមារ', 'ผู้สูงอายุที่ดูแลเด็ก'],
  'ER-UR': ['Unaccompanied older person', 'មនុស្សចាស់គ្មានអ្នកអម', 'ผู้สูงอายุที่ไม่มีผู้ดูแล'],
  'WR-WR': ['Woman at risk', 'ស្ត្រីប្រឈមហានិភ័យ', 'ผู้หญิงที่มีความเสี่ยง'],
  'WR-SF': ['Single woman at risk', 'ស្ត្រីនៅលីវប្រឈមហានិភ័យ', 'ผู้หญิงโสดที่มีความเสี่ยง'],
  'WR-LC': ['Lactating woman at risk', 'ស្ត្រីបំបៅដោះកូនប្រឈមហានិភ័យ', 'หญิงให้นมบุตรที่มีความเสี่ยง'],
  'WR-PY': ['Woman in polygamous marriage', 'ស្ត្រីក្នុងអាពាហ៍ពិពាហ៍ពហុពន្ធ', 'ผู้หญิงในการสมรสแบบพหุภริยา'],
  'SP-PT': ['Single parent', 'ឪពុក ឬម្ដាយទោល', 'พ่อหรือแม่เลี้ยงเดี่ยว'],
  'SP-GP': ['Single grandparent', 'ជីដូនជីតាទោល', 'ปู่ย่าตายายที่เลี้ยงหลานลำพัง'],
  'SP-CG': ['Single caregiver', 'អ្នកថែទាំតែម្នាក់ឯង', 'ผู้ดูแลเพียงลำพัง'],
};
